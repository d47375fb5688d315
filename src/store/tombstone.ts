import { createHash } from 'node:crypto';
import { z } from 'zod';
import { normalizeEmail } from './lead-link.ts';

/**
 * What is left of a retired link: why and when, keyed by a hash of the normalised email. No personal
 * data: neither the address nor a record id (a privacy deletion must leave nothing that names the person).
 */
export const Tombstone = z.object({
  reason: z.enum(['deleted', 'privacy_deleted']),
  /** The system the record was deleted in. */
  system: z.enum(['hubspot', 'salesforce']),
  /** ISO-8601 instant. */
  at: z.string(),
  /** True when LeadBridge deleted the other side's record too (`onDelete: propagate`). */
  propagated: z.boolean().optional(),
});
export type Tombstone = z.infer<typeof Tombstone>;

/** Pure: the tombstone key of an email (SHA-256 of the normalised address, hex). */
export function emailHash(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('hex');
}
