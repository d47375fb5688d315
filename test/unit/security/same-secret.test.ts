import { describe, expect, it } from 'vitest';
import { sameSecret } from '../../../src/security/same-secret.ts';

describe('sameSecret', () => {
  it('accepts the secret itself', () => {
    expect(sameSecret('a-long-enough-secret-123', 'a-long-enough-secret-123')).toBe(true);
  });

  it('refuses another value of the same length, a prefix, a longer value and the empty string', () => {
    expect(sameSecret('a-long-enough-secret-124', 'a-long-enough-secret-123')).toBe(false);
    expect(sameSecret('a-long-enough', 'a-long-enough-secret-123')).toBe(false);
    expect(sameSecret('a-long-enough-secret-1234', 'a-long-enough-secret-123')).toBe(false);
    expect(sameSecret('', 'a-long-enough-secret-123')).toBe(false);
  });
});
