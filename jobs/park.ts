import { UnrecoverableError } from 'bullmq';
import { PermanentError } from '../src/errors/permanent-error.ts';

/**
 * A whole job failed with an error no retry fixes (a revoked OAuth install, an unknown tenant): BullMQ's
 * UnrecoverableError fails it at once instead of spending its attempts (and a token call each) on
 * backoff. The message keeps the cause and the fix, as the failed job shows them; other errors are
 * returned as they are, for the queue's backoff.
 * https://docs.bullmq.io/guide/retrying-failing-jobs#stop-retrying-jobs
 */
export function parkPermanent(error: unknown): unknown {
  if (!(error instanceof PermanentError)) return error;
  const fix = error.fix && !error.message.includes(error.fix) ? ` (fix: ${error.fix})` : '';
  return new UnrecoverableError(`${error.code}: ${error.message}${fix}`);
}
