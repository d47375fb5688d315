import type { LedgerEntry } from './ledger-entry.ts';
import { stageRank, type LifecycleOrder } from './lifecycle.ts';

/** One lead's ledger as the report reads it (from the tenant's ledger index). */
export interface LedgerLead {
  leadKey: string;
  entries: readonly LedgerEntry[];
}

/** One handoff and what sales did with it. */
export interface HandoffEpisode {
  handoffAt: number;
  followUpDueAt: number | null;
  outcome: 'accepted' | 'rejected' | 'disqualified' | 'waiting';
  outcomeAt: number | null;
  followUpAt: number | null;
  /** Past the handoff stage when it crossed it (or first seen so): no follow-up time to measure. */
  workedWhenSeen: boolean;
}

export interface RejectionFact {
  at: number;
  /** The handoff this rejection answered (null: turned down before any handoff). */
  handoffAt: number | null;
  reason: string | null;
  stage: 'rejected' | 'disqualified';
}

/** What the report needs of one lead, read off its ledger in one walk. */
export interface LeadFacts {
  leadKey: string;
  /** Highest rank reached, and when each rank was first reached. */
  reachedAt: Map<number, number>;
  handoffs: HandoffEpisode[];
  rejections: RejectionFact[];
  recycles: number[];
  breaches: Array<{ timer: 'follow_up' | 'feedback'; dueAt: number; handoffAt: number | null }>;
  firstAt: number;
}

const ms = (iso: string) => Date.parse(iso);

export function factsOf(lead: LedgerLead, lifecycle: LifecycleOrder): LeadFacts {
  const facts: LeadFacts = {
    leadKey: lead.leadKey,
    reachedAt: new Map(),
    handoffs: [],
    rejections: [],
    recycles: [],
    breaches: [],
    firstAt: lead.entries[0] ? ms(lead.entries[0].sourceTime) : 0,
  };
  const reach = (stage: string | null, at: number) => {
    const rank = stageRank(stage, lifecycle);
    if (rank === null || stage === 'recycled' || stage === 'disqualified') return;
    for (let i = 0; i <= Math.min(rank, lifecycle.stages.length - 1); i++) {
      if (!facts.reachedAt.has(i)) facts.reachedAt.set(i, at);
    }
  };
  const byEpisode = new Map<number, HandoffEpisode>();
  let current: HandoffEpisode | null = null;
  let lastRejection: RejectionFact | null = null;
  for (const entry of lead.entries) {
    const at = ms(entry.sourceTime);
    switch (entry.type) {
      case 'transition': {
        reach(entry.to, at);
        if (entry.cause === 'seed' && entry.clock) {
          const handoffAt = ms(entry.clock.handoffAt);
          current = {
            handoffAt,
            followUpDueAt: entry.timers?.followUpDueAt ? ms(entry.timers.followUpDueAt) : null,
            outcome: 'waiting',
            outcomeAt: null,
            followUpAt: entry.clock.followUpAt ? ms(entry.clock.followUpAt) : null,
            workedWhenSeen: entry.clock.workedAtHandoff === true,
          };
          facts.handoffs.push(current);
          byEpisode.set(entry.episode, current);
        }
        if (entry.rule === 'handoff') {
          current = {
            handoffAt: at,
            followUpDueAt: entry.timers?.followUpDueAt ? ms(entry.timers.followUpDueAt) : null,
            outcome: 'waiting',
            outcomeAt: null,
            followUpAt: null,
            workedWhenSeen: false,
          };
          facts.handoffs.push(current);
          byEpisode.set(entry.episode, current);
          if (entry.to !== lifecycle.handoffStage) {
            Object.assign(current, {
              outcome: 'accepted',
              outcomeAt: at,
              followUpAt: at,
              workedWhenSeen: true,
            });
          }
        } else if (entry.to === 'rejected' || entry.to === 'disqualified') {
          const answered = current?.outcome === 'waiting' ? current : null;
          if (answered) {
            answered.outcome = entry.to;
            answered.outcomeAt = at;
            answered.followUpAt ??= at;
          }
          lastRejection = {
            at,
            handoffAt: answered?.handoffAt ?? null,
            reason: entry.reason,
            stage: entry.to,
          };
          facts.rejections.push(lastRejection);
        } else if (entry.to === 'recycled') {
          facts.recycles.push(at);
          current = null;
        } else if (current?.outcome === 'waiting' && entry.from === lifecycle.handoffStage) {
          current.outcome = 'accepted';
          current.outcomeAt = at;
          current.followUpAt ??= at;
        }
        break;
      }
      case 'feedback':
        if (lastRejection) lastRejection.reason = entry.reason;
        break;
      case 'breach':
        facts.breaches.push({
          timer: entry.timer,
          dueAt: ms(entry.dueAt),
          handoffAt: byEpisode.get(entry.episode)?.handoffAt ?? null,
        });
        break;
      default:
        break;
    }
  }
  return facts;
}
