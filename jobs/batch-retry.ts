import { setTimeout as sleep } from 'node:timers/promises';
import type { SystemName } from '../src/domain/lead.ts';
import { PermanentError } from '../src/errors/permanent-error.ts';
import { RateLimitedError } from '../src/errors/rate-limited-error.ts';
import { RetryableError } from '../src/errors/retryable-error.ts';
import type { Logger } from '../src/log/logger.ts';
import type { RecordFailure } from './engine.ts';

export interface RetryOptions {
  /** Tries of one call before it fails (default 5). */
  maxAttempts?: number;
  /** Longest rate-limit wait waited out, in milliseconds (default 60 s); a longer one fails the call. */
  maxRateLimitWaitMs?: number;
  /** First retry delay in milliseconds, doubled per try (default 1 s). */
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

/** Runs `call`, waiting out rate limits and retrying transient errors with jittered backoff. */
export async function withRetries<T>(
  call: () => Promise<T>,
  logger: Logger,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const waitMs =
        error instanceof RateLimitedError
          ? error.waitMs
          : (options.retryDelayMs ?? 1_000) * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      const retry =
        error instanceof RetryableError &&
        attempt < maxAttempts &&
        waitMs <= (options.maxRateLimitWaitMs ?? 60_000);
      if (!retry) throw error;
      logger.info({ attempt, waitMs, err: error }, 'call retried');
      await (options.sleep ?? sleep)(waitMs);
    }
  }
}

function errorCode(error: unknown): string {
  if (error instanceof RateLimitedError) return `RATE_LIMITED_${error.policy}`;
  if (error instanceof PermanentError) return error.code;
  if (error instanceof RetryableError) return 'TRANSIENT';
  return error instanceof Error ? error.name : 'UNKNOWN';
}

/** A record (or, with a null id, a whole read) that a thrown error kept from syncing. */
export function batchFailure(
  tenant: string,
  system: SystemName,
  recordId: string | null,
  error: unknown,
): RecordFailure {
  return {
    tenant,
    leadKey: null,
    system,
    recordId,
    code: errorCode(error),
    message: error instanceof Error ? error.message : String(error),
    retryable: error instanceof RetryableError,
  };
}
