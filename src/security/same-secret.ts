import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` is the secret `expected`, compared in constant time whatever the lengths: both sides are
 * hashed first, so neither the content nor the length of the secret leaks through the time taken.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
