import { classify } from './classify.ts';
import { classifiedError } from './classified-error.ts';
import { WRITE_RETRY } from './limits.ts';

/** Pure: exponential backoff with "equal jitter" (half fixed, half random), in milliseconds. */
export function retryDelayMs(
  attempt: number,
  random: number,
  policy: { baseDelayMs: number; maxDelayMs: number } = WRITE_RETRY,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export interface RetryOptions {
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each new attempt, e.g. to count retries. */
  onRetry?: (attempt: number, err: unknown) => void;
  /** Narrows which transient failures are retried (creates: only those that surely saved nothing). */
  retryIf?: (err: unknown) => boolean;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Our retry policy for the calls jsforce does not retry (POST and PATCH: collection writes, collection
 * retrieves). Only transient failures are retried; a rate limit or a permanent error comes out at once,
 * already wrapped in its error class.
 */
export async function withRetry<T>(
  what: string,
  call: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? WRITE_RETRY.attempts;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      const again = classify(err).kind === 'transient' && (options.retryIf?.(err) ?? true);
      if (!again || attempt >= attempts) throw classifiedError(err, what);
      options.onRetry?.(attempt, err);
      await sleep(retryDelayMs(attempt, random()));
    }
  }
}
