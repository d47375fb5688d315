import type { WriteOutcome } from './types.ts';

const partial = new WeakMap<object, Array<WriteOutcome | undefined>>();

/**
 * Attaches to the error that stopped a write the outcomes it had already obtained (index = patch
 * index, undefined = not written), so the caller can link records that were created before the failure.
 */
export function withPartialOutcomes(err: unknown, outcomes: Array<WriteOutcome | undefined>): unknown {
  if (typeof err === 'object' && err !== null && outcomes.some((outcome) => outcome !== undefined))
    partial.set(err, [...outcomes]);
  return err;
}

/** The outcomes a failed write obtained before it failed (empty when none). */
export function partialOutcomesOf(err: unknown): Array<WriteOutcome | undefined> {
  return typeof err === 'object' && err !== null ? (partial.get(err) ?? []) : [];
}
