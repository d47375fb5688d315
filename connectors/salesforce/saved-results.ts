import type { SaveResult } from './schemas.ts';

const saved = new WeakMap<object, SaveResult[]>();

/**
 * Attaches the results of the chunks a multi-chunk write had already saved to the error that stopped
 * it, so the caller keeps those outcomes (a created record's id above all) instead of losing them.
 */
export function withSavedResults(err: unknown, results: SaveResult[]): unknown {
  if (results.length > 0 && typeof err === 'object' && err !== null) saved.set(err, [...results]);
  return err;
}

/** The results saved before `err` stopped a multi-chunk write, in request order (empty when none). */
export function savedResultsOf(err: unknown): SaveResult[] {
  return typeof err === 'object' && err !== null ? (saved.get(err) ?? []) : [];
}
