/**
 * Salesforce record ids: a 3-character key prefix, then a counter, 15 case-sensitive characters, plus the
 * 3-character suffix that encodes which of the 15 are upper case (the 18-character form).
 * https://help.salesforce.com/s/articleView?id=000385203 (key prefixes)
 */

/** ASCII-ordered, so ids made later sort later, as the keyset cursor expects. */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const KEY_PREFIX = {
  Lead: '00Q',
  Contact: '003',
  Account: '001',
  Opportunity: '006',
  LeadStatus: '01J',
  User: '005',
  Group: '00G',
  Task: '00T',
  Organization: '00D',
  Notification: '04l',
  WorkflowAction: '04k',
  QueryLocator: '01g',
} as const;

/** The 3-character case-encoding suffix of a 15-character id. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const ch = id15.charAt(block * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return suffix;
}

/** An 18-character id: prefix, a 2-character pod, a zero-padded base-62 counter, the suffix. */
export function makeId(prefix: string, counter: number, pod = '5g'): string {
  let digits = '';
  let n = counter;
  do {
    digits = BASE62.charAt(n % 62) + digits;
    n = Math.floor(n / 62);
  } while (n > 0);
  const id15 = `${prefix}${pod}${digits.padStart(10, '0')}`;
  return id15 + idSuffix(id15);
}

/** True for a well-formed 15- or 18-character id whose suffix (if any) matches. */
export function isValidId(id: string): boolean {
  if (/^[a-zA-Z0-9]{15}$/.test(id)) return true;
  return /^[a-zA-Z0-9]{18}$/.test(id) && idSuffix(id.slice(0, 15)) === id.slice(15).toUpperCase();
}

/** The 18-character form of a 15- or 18-character id. */
export function toId18(id: string): string {
  return id.length === 15 ? id + idSuffix(id) : id;
}
