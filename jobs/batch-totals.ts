import { SystemName } from '../src/domain/lead.ts';
import type { RecordFailure, ReconcileBatchResult } from './engine.ts';
import { CompactStringMap } from './compact-string-map.ts';

/** What a run of reconcile batches did, added up (`sync --once`, `backfill`). */
export interface BatchTotals {
  batches: number;
  /** Distinct leads reconciled: a lead reconciled from both systems' pages counts once. */
  leads: number;
  /** Reconcile passes over leads (a lead seen in both systems' pages is reconciled twice). */
  reconciles: number;
  /** Passes that found nothing to write (out of `reconciles`). */
  unchanged: number;
  conflicts: number;
  written: Record<SystemName, number>;
  created: Record<SystemName, number>;
  /** Every record that did not sync, with its code. */
  failures: RecordFailure[];
}

/**
 * The lead keys seen per totals object, kept out of the object so its JSON stays plain; compact, as a
 * backfill adds every lead of the tenant (jobs/compact-string-map.ts).
 */
const seenLeads = new WeakMap<BatchTotals, CompactStringMap>();

export function addBatchResult(totals: BatchTotals, result: ReconcileBatchResult): void {
  totals.batches += 1;
  totals.reconciles += result.leads;
  if (result.leadKeys) {
    const seen = seenLeads.get(totals) ?? new CompactStringMap();
    seenLeads.set(totals, seen);
    for (const key of result.leadKeys)
      if (seen.put(`${result.tenant}\u0000${key}`) === 'added') totals.leads += 1;
  } else {
    totals.leads += result.leads;
  }
  totals.unchanged += result.unchanged;
  totals.conflicts += result.conflicts;
  for (const system of SystemName.options) {
    totals.written[system] += result.written[system];
    totals.created[system] += result.created[system];
  }
  totals.failures.push(...result.failures);
}
