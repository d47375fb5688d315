import type { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { backfill } from '../../../jobs/backfill.ts';
import type { EngineRuntime } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';

/**
 * The records that exist before LeadBridge starts: seeded long ago, so no poller (which starts at its
 * overlap window) would ever see them. `leadbridge backfill` does the work (every HubSpot contact and
 * Salesforce lead, reconciled page by page); the connector and lead list the demo passes are no longer
 * needed, since the backfill reads both systems through their APIs.
 */
export async function ingestExistingRecords(
  runtime: EngineRuntime,
  tenant: string,
  _hubspot?: HubSpotConnector,
  _salesforceLeads?: Array<{ id: string; modifiedAt: string }>,
): Promise<{ hubspot: number; salesforce: number }> {
  const summary = await backfill(runtime, reconcileBatch, { tenants: [tenant], restart: true });
  if (summary.failures.length > 0)
    runtime.engine.logger.warn({ failures: summary.failures }, 'demo backfill: some records failed');
  return summary.records;
}
