import { createHash } from 'node:crypto';

/**
 * A short stand-in for one `(property, value)` pair: the first 16 hex characters (64 bits) of SHA-256 over
 * property, NUL, value. Lets the echo filter compare what a webhook says with what we wrote without
 * keeping the value (an email, a name) in a queue job or in Redis; 64 bits make a chance match between
 * one record's few recent writes and an event practically impossible.
 */
export function valueHash(property: string, value: string): string {
  return createHash('sha256').update(`${property}\u0000${value}`).digest('hex').slice(0, 16);
}
