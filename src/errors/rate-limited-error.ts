import { RetryableError } from './retryable-error.ts';

/** The API said "slow down" (HTTP 429, Salesforce REQUEST_LIMIT_EXCEEDED); wait `waitMs`, burn no attempt. */
export class RateLimitedError extends RetryableError {
  /** How long to wait before the next call, in milliseconds. */
  readonly waitMs: number;
  /** Which limit was hit, as the API names it (e.g. TEN_SECONDLY_ROLLING, DAILY, REQUEST_LIMIT_EXCEEDED). */
  readonly policy: string;

  constructor(message: string, waitMs: number, policy: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitedError';
    this.waitMs = waitMs;
    this.policy = policy;
  }
}
