import type { LeadTimeline } from './lead-timeline.ts';
import type { Lead } from './lead.ts';
import type { TransitionEntry } from './ledger-entry.ts';
import { handoffTimers, recycleDueAt, type MachineContext } from './lifecycle-machine.ts';
import { isKnownStage, isSideState, nurtureStage, stageRank, type LifecycleOrder } from './lifecycle.ts';
import { hasText } from './values.ts';

/** One side as first seen: its stage claim and the system's own last-modified time. */
export interface SeedSide {
  stage: string | null | undefined;
  rejectionReason?: string | null;
  sourceTime: string;
  actor?: string;
}

export interface SeedInput {
  /** The sync state an earlier version kept (base + timeline): a migration seeds from it. */
  stored: { base: Partial<Lead>; timeline?: LeadTimeline } | null;
  hubspot: SeedSide | null;
  salesforce: SeedSide | null;
  context: Pick<MachineContext, 'lifecycle' | 'sla' | 'businessHours' | 'at'>;
}

function furthest(stages: Array<string | null | undefined>, lifecycle: LifecycleOrder): string | null {
  let best: string | null = null;
  for (const stage of stages) {
    if (!isKnownStage(stage, lifecycle) || isSideState(stage)) continue;
    if (best === null || (stageRank(stage, lifecycle) ?? -1) > (stageRank(best, lifecycle) ?? -1))
      best = stage;
  }
  return best;
}

/**
 * The first ledger entry of a lead that has none, recorded as such:
 * - an earlier install's state (migration): its stage, its SLA clock and rejection as they were;
 * - a lead already in Salesforce, or a HubSpot contact already worked (past the handoff), a customer,
 *   rejected or disqualified: history — linked, never created in Salesforce with a fresh SLA clock;
 * - a HubSpot contact that only claims the handoff stage: seeded just before it, so the claim then goes
 *   through the gate like any other.
 */
export function seedEntry(input: SeedInput): TransitionEntry {
  const { context, stored } = input;
  const { lifecycle, at } = context;
  const times = [input.hubspot?.sourceTime, input.salesforce?.sourceTime].filter(hasText).sort();
  const sourceTime = times.at(-1) ?? at;
  const entry = (to: string | null, rule: string, reason: string, extra: Partial<TransitionEntry> = {}) =>
    ({
      type: 'transition',
      at,
      sourceTime,
      episode: 0,
      cause: 'seed',
      actor: 'leadbridge',
      from: null,
      to,
      rule,
      reason,
      ...extra,
    }) satisfies TransitionEntry;

  if (stored) {
    const stage = isKnownStage(stored.base.stage, lifecycle) ? stored.base.stage : null;
    const handoffAt = stored.timeline?.handoffAt;
    const rejectedAt = hasText(stored.base.rejectedAt) ? stored.base.rejectedAt : undefined;
    const turnedDown = stage === 'rejected' || stage === 'disqualified';
    return entry(stage, 'migrated', 'seeded from the sync state of an earlier version (no ledger yet)', {
      ...(handoffAt
        ? {
            clock: {
              handoffAt,
              ...(stored.timeline?.firstFollowUpAt ? { followUpAt: stored.timeline.firstFollowUpAt } : {}),
              ...(stored.timeline?.feedbackAt ? { feedbackAt: stored.timeline.feedbackAt } : {}),
              ...(stored.timeline?.workedAtHandoff ? { workedAtHandoff: true } : {}),
            },
            timers: handoffTimers(handoffAt, context),
          }
        : {}),
      ...(turnedDown && rejectedAt
        ? { rejectedAt, timers: { recycleDueAt: recycleDueAt(rejectedAt, context.sla) } }
        : {}),
      ...(turnedDown && hasText(stored.base.rejectionReason) ? { reason: stored.base.rejectionReason } : {}),
      history:
        handoffAt === undefined && stage !== null && !isSideState(stage) && !beforeHandoff(stage, lifecycle),
    });
  }

  const salesforce = input.salesforce;
  const hubspot = input.hubspot;
  const turnedDown = (side: SeedSide | null) =>
    side && (side.stage === 'rejected' || side.stage === 'disqualified') ? side : null;
  const rejectedBy = turnedDown(salesforce) ?? turnedDown(hubspot);
  if (rejectedBy) {
    const reason = hasText(rejectedBy.rejectionReason) ? rejectedBy.rejectionReason.trim() : null;
    return entry(
      rejectedBy.stage ?? null,
      'seeded_history',
      reason ?? 'already turned down when first seen',
      {
        reason,
        history: true,
        rejectedAt: rejectedBy.sourceTime,
        timers: { recycleDueAt: recycleDueAt(rejectedBy.sourceTime, context.sla) },
        ...(rejectedBy.actor ? { actor: rejectedBy.actor } : {}),
      },
    );
  }
  if (salesforce?.stage === 'recycled' || (!salesforce && hubspot?.stage === 'recycled')) {
    return entry('recycled', 'seeded_history', 'already back in nurture when first seen', {});
  }
  if (salesforce) {
    const stage = furthest([salesforce.stage, hubspot?.stage], lifecycle);
    return entry(
      stage,
      'seeded_history',
      'already in Salesforce when first seen: linked as history, no new SLA clock',
      {
        history: stage !== null && !beforeHandoff(stage, lifecycle),
      },
    );
  }
  const claimed = furthest([hubspot?.stage], lifecycle);
  if (
    claimed !== null &&
    (stageRank(claimed, lifecycle) ?? -1) > (stageRank(lifecycle.handoffStage, lifecycle) ?? 0)
  ) {
    return entry(
      claimed,
      'seeded_history',
      `already ${claimed} when first seen: linked as history, not created in Salesforce`,
      {
        history: true,
      },
    );
  }
  if (claimed !== null && !beforeHandoff(claimed, lifecycle)) {
    return entry(nurtureStage(lifecycle), 'seeded', `claims ${claimed}; the handoff goes through the gate`);
  }
  return entry(claimed, 'seeded', 'first seen');
}

function beforeHandoff(stage: string, lifecycle: LifecycleOrder): boolean {
  return (stageRank(stage, lifecycle) ?? -1) < (stageRank(lifecycle.handoffStage, lifecycle) ?? 0);
}
