import { UnrecoverableError } from 'bullmq';
import { PermanentError } from '../src/errors/permanent-error.ts';

/**
 * Codes of permanent errors that hold for the whole tenant, so that no job of it can succeed until a
 * person acts: a revoked OAuth install (`BAD_REFRESH_TOKEN`), a wrong app client id or secret, a tenant
 * the worker has no connectors for. Any other permanent error (classify()'s catch-all `UNEXPECTED` for
 * a non-HTTP failure among them) may pass on another try and keeps the queue's backoff.
 */
export const TENANT_WIDE_CODES: ReadonlySet<string> = new Set([
  'BAD_REFRESH_TOKEN',
  'BAD_CLIENT_ID',
  'BAD_CLIENT_SECRET',
  'UNKNOWN_TENANT',
]);

/** True when `error` fails every job of its tenant until someone fixes the install or the config. */
export function isTenantWide(error: unknown): error is PermanentError {
  return error instanceof PermanentError && TENANT_WIDE_CODES.has(error.code);
}

/**
 * A whole job failed with a tenant-wide error (`TENANT_WIDE_CODES`): BullMQ's UnrecoverableError fails
 * it at once instead of spending its attempts (and a token call each) on backoff. The message keeps the
 * cause and the fix, as the failed job shows them; other errors are returned as they are, for the
 * queue's backoff.
 * https://docs.bullmq.io/guide/retrying-failing-jobs#stop-retrying-jobs
 */
export function parkPermanent(error: unknown): unknown {
  if (!isTenantWide(error)) return error;
  const fix = error.fix && !error.message.includes(error.fix) ? ` (fix: ${error.fix})` : '';
  return new UnrecoverableError(`${error.code}: ${error.message}${fix}`);
}
