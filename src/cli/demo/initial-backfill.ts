import { backfill, type BackfillSummary } from '../../../jobs/backfill.ts';
import type { EngineRuntime } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';

/**
 * The records that exist before LeadBridge starts: seeded long ago, so no poller (which starts at its
 * overlap window) would ever see them. The demo runs what `leadbridge backfill` runs: every HubSpot
 * contact and Salesforce lead, reconciled page by page.
 */
export function backfillExistingRecords(runtime: EngineRuntime, tenant: string): Promise<BackfillSummary> {
  return backfill(runtime, reconcileBatch, { tenants: [tenant], restart: true });
}
