import { PermanentError, RateLimitedError, RetryableError } from '../../src/errors/index.ts';
import { classify } from './classify.ts';

/** Wraps a failed call in the error class that carries its policy (see src/errors/). */
export function classifiedError(err: unknown, context: string): RetryableError | PermanentError {
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  const decision = classify(err);
  const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
  switch (decision.kind) {
    case 'rate_limited':
      return new RateLimitedError(message, decision.waitMs, decision.policy, { cause: err });
    case 'transient':
      return new RetryableError(message, { cause: err });
    case 'permanent':
      return new PermanentError(message, decision.code, decision.status, { cause: err });
  }
}
