export { PermanentError } from './permanent-error.ts';
export { RateLimitedError } from './rate-limited-error.ts';
export { RetryableError } from './retryable-error.ts';

/** The outcome of classifying a failed call: what the caller should do about it. */
export type RetryDecision =
  | { kind: 'rate_limited'; waitMs: number; policy: string }
  | { kind: 'transient'; reason: string }
  | { kind: 'permanent'; code: string; reason: string; status?: number };
