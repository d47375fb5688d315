import type { Metrics } from '../../src/metrics/prometheus.ts';
import type { RecordFailure } from '../engine.ts';
import type { LeadPlan } from './types.ts';
import type { BatchWrites } from './write-patches.ts';

/** Patches written, field conflicts settled and stage changes of one reconcile pass. */
export function countPass(
  metrics: Metrics,
  tenant: string,
  plans: LeadPlan[],
  written: BatchWrites,
  retried: ReadonlySet<string>,
): void {
  for (const writes of written.writes.values()) {
    for (const [system, write] of Object.entries(writes)) {
      if (!write.outcome.ok) continue;
      metrics.patchesWritten.inc({ tenant, system, kind: write.patch.id ? 'update' : 'create' });
    }
  }
  for (const plan of plans) {
    // A lead whose state write lost the race is reconciled again; its decisions count on that pass.
    if (retried.has(plan.sides.link.leadKey)) continue;
    const conflicts = plan.result.merge.conflicts.length;
    if (conflicts > 0) metrics.fieldConflicts.inc({ tenant }, conflicts);
    for (const decision of plan.result.decisions) {
      if (decision.changed)
        metrics.stageChanges.inc({ tenant, to: decision.stage ?? 'none', by: decision.by });
    }
  }
}

export function countFailures(metrics: Metrics, failures: RecordFailure[]): void {
  for (const failure of failures) {
    metrics.recordFailures.inc({ tenant: failure.tenant, system: failure.system, code: failure.code });
  }
}
