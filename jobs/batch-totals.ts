import { SystemName } from '../src/domain/lead.ts';
import type { RecordFailure, ReconcileBatchResult } from './engine.ts';

/** What a run of reconcile batches did, added up (`sync --once`, `backfill`). */
export interface BatchTotals {
  batches: number;
  leads: number;
  unchanged: number;
  conflicts: number;
  written: Record<SystemName, number>;
  created: Record<SystemName, number>;
  /** Every record that did not sync, with its code. */
  failures: RecordFailure[];
}

export function addBatchResult(totals: BatchTotals, result: ReconcileBatchResult): void {
  totals.batches += 1;
  totals.leads += result.leads;
  totals.unchanged += result.unchanged;
  totals.conflicts += result.conflicts;
  for (const system of SystemName.options) {
    totals.written[system] += result.written[system];
    totals.created[system] += result.created[system];
  }
  totals.failures.push(...result.failures);
}
