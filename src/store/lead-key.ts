import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Crockford's base32, lower case (no i, l, o, u), as in ULIDs. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * LeadBridge's own id of a lead, stable across HubSpot merges and Salesforce conversions: `lb_` then 26
 * base32 characters (48-bit millisecond time, 80 random bits), so keys sort by creation. The `lb_` prefix
 * cannot be mistaken for a HubSpot id (digits), a Salesforce id (15/18 letters and digits) or an email.
 */
export const LeadKey = z.string().regex(/^lb_[0-9a-z]{8,40}$/, 'a lead key is lb_ followed by base32');
export type LeadKey = z.infer<typeof LeadKey>;

export function isLeadKey(value: string): boolean {
  return LeadKey.safeParse(value).success;
}

/** A new lead key; `now` is a parameter so callers and tests control time. */
export function newLeadKey(now: Date): LeadKey {
  let time = Math.max(0, Math.floor(now.getTime()));
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  let tail = '';
  for (const byte of randomBytes(16)) tail += ALPHABET[byte % 32];
  return `lb_${head}${tail}`;
}
