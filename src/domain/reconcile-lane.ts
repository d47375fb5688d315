import type { ChangeEvent } from './change-event.ts';

/**
 * Which lane a change travels in. `rep`: a sales rep's change in Salesforce (a status change, a
 * rejection; delivered by an outbound message or the Change Data Capture route) and a timer-driven SLA
 * action: reconciled before anything else and never debounced. `routine`: marketing-side changes (score
 * refreshes from HubSpot), polls and manual retries. Backfill pages (jobs/backfill.ts) yield to both.
 */
export type ReconcileLane = 'rep' | 'routine';

export function laneOf(event: Pick<ChangeEvent, 'system' | 'source'>): ReconcileLane {
  if (event.source === 'timer') return 'rep';
  if (event.system === 'salesforce' && (event.source === 'outbound_message' || event.source === 'webhook')) {
    return 'rep';
  }
  return 'routine';
}
