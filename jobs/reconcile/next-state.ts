import type { Lead, SystemName } from '../../src/domain/lead.ts';
import { nextBase } from '../../src/domain/merge.ts';
import { sameValue } from '../../src/domain/same-value.ts';
import type { StateWrite, StoredDecision } from '../../src/store/sync-state.ts';
import { handoffBlockedDecision } from './audit-entries.ts';
import type { LeadPlan, LeadWrites } from './types.ts';

/**
 * Whether each side now holds what the merge decided: no patch was needed, or its write succeeded. A
 * side whose patch was not sent (a linked record that is gone) or failed keeps its old base values.
 */
export function sidesWritten(plan: LeadPlan, writes: LeadWrites | undefined): Record<SystemName, boolean> {
  const side = (system: SystemName) => {
    const needed = Object.keys(plan.result.merge.patches[system]).length > 0;
    const sent = plan.patches[system] !== undefined;
    if (!sent) return !needed || (!plan.sides.missing[system] && !plan.withheld?.[system]);
    return writes?.[system]?.outcome.ok === true;
  };
  return { hubspot: side('hubspot'), salesforce: side('salesforce') };
}

/**
 * The last decision worth keeping: the gate's refusal while it holds the lead back (what `explain` must
 * show, and what keeps the trail from repeating it), else this pass's last stage change, else the previous.
 */
function lastDecision(plan: LeadPlan): StoredDecision | null {
  const blocked = handoffBlockedDecision(plan);
  if (blocked) return blocked;
  const changed = plan.result.decisions.filter((decision) => decision.changed).at(-1);
  if (changed) {
    const { from, proposed, stage, rule, by, move, explanation } = changed;
    return { from, proposed, stage, changed: true, rule, by, explanation, ...(move ? { move } : {}) };
  }
  return plan.state.state?.lastDecision ?? null;
}

/** The state to compare-and-set for a lead after its writes: `nextBase(...)`, the timeline, the last decision. */
export function nextState(plan: LeadPlan, writes: LeadWrites | undefined, now: Date): StateWrite {
  const previous = plan.state.state;
  return {
    leadKey: plan.sides.link.leadKey,
    expectedVersion: plan.state.version,
    ledger: plan.result.ledger,
    state: {
      // nextBase leaves out fields rather than setting them undefined, so it is a whole Lead.
      base: nextBase(previous?.base ?? null, plan.result.merge, sidesWritten(plan, writes)) as Lead,
      timeline: plan.result.timeline,
      lastDecision: lastDecision(plan),
      syncedAt: now.toISOString(),
    },
  };
}

/**
 * Whether `write` would store what the lead's state already holds (its sync time aside): the pass sent
 * no patch and added nothing to the ledger. Such a pass stores nothing: a new version would make every
 * other worker's pass over the lead lose its compare-and-set and read both systems again for nothing.
 * A pass that sent a patch always stores, even with an equal base: its sync time tells later passes that
 * a backfill page read before that write is older than the write (`forgetStaleHandedRecords`).
 */
export function storesNothingNew(plan: LeadPlan, write: StateWrite): boolean {
  const previous = plan.state.state;
  if (previous === null || plan.state.corrupt !== undefined) return false;
  if ((write.ledger?.length ?? 0) > 0 || plan.patches.hubspot || plan.patches.salesforce) return false;
  return (
    sameValue(previous.base, write.state.base) &&
    sameValue(previous.timeline, write.state.timeline) &&
    sameValue(previous.lastDecision, write.state.lastDecision)
  );
}
