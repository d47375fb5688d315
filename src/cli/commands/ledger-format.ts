import type { LedgerEntry } from '../../domain/ledger-entry.ts';

/** `2025-03-04 09:15:02 UTC`: one time zone for everyone reading the same history. */
export function humanTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const CAUSES: Record<LedgerEntry['cause'], string> = {
  rep_status: 'rep status change',
  marketing_stage: 'marketing stage change',
  score: 'score',
  timer: 'timer',
  admin: 'admin move',
  deletion: 'deletion',
  seed: 'first seen',
  feedback: 'feedback',
};

/** One line of the lifecycle ledger: what happened, why, who, and when it happened in its system. */
export function ledgerLine(entry: LedgerEntry): string {
  const source = `at ${humanTime(entry.sourceTime)}`;
  const who = `by ${entry.actor}`;
  const episode = `episode ${entry.episode}`;
  switch (entry.type) {
    case 'transition': {
      const move = `${entry.from ?? '(none)'} -> ${entry.to ?? '(none)'}`;
      const reason = entry.reason
        ? `: ${entry.reason}`
        : entry.to === 'rejected'
          ? ': awaiting feedback'
          : '';
      const history = entry.history ? ' (history: linked, no SLA clock)' : '';
      return `${move}  ${CAUSES[entry.cause]}, rule ${entry.rule}${reason}${history}; ${who} ${source}; ${episode}`;
    }
    case 'refusal':
      return `refused ${entry.from ?? '(none)'} -> ${entry.to}  ${CAUSES[entry.cause]}, rule ${entry.rule}: ${entry.detail}; ${who} ${source}`;
    case 'feedback':
      return `feedback: ${entry.reason}; ${who} ${source}; ${episode}`;
    case 'score':
      return `score ${entry.score} ${entry.qualified ? 'reached' : 'fell below'} the MQL threshold; ${source}`;
    case 'breach':
      return `SLA breached: ${entry.timer === 'follow_up' ? 'no follow-up' : 'no feedback'} by ${humanTime(entry.dueAt)}; ${episode}`;
    case 'reminder':
      return `reminder: follow-up due ${humanTime(entry.dueAt)}; ${episode}`;
  }
}
