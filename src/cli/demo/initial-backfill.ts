import type { ChangeEvent } from '../../domain/change-event.ts';
import type { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import type { EngineRuntime } from '../../../jobs/engine-runtime.ts';
import { ingestChangeEvent } from '../../../jobs/ingest-processor.ts';

/**
 * The records that exist before LeadBridge starts: seeded long ago, so no poller (which starts at its
 * overlap window) would ever see them. HubSpot's are listed through the connector's backfill (the list
 * endpoint, through the real API); Salesforce's connector has no backfill yet, so their ids come from the
 * demo's own emulator. Both go through ingest as `backfill` events; `syncOnce` then reconciles them.
 */
export async function ingestExistingRecords(
  runtime: EngineRuntime,
  tenant: string,
  hubspot: HubSpotConnector,
  salesforceLeads: Array<{ id: string; modifiedAt: string }>,
): Promise<{ hubspot: number; salesforce: number }> {
  const ingest = { engine: runtime.engine, pending: runtime.pending, schedule: async () => {} };
  const event = (system: ChangeEvent['system'], objectId: string, occurredAt: string): ChangeEvent => ({
    tenant,
    system,
    objectId,
    occurredAt,
    kind: 'updated',
    source: 'backfill',
    dedupKey: `${objectId}@${occurredAt}`,
  });
  let hubspotCount = 0;
  let after: string | null = null;
  do {
    const page = await hubspot.backfill(after);
    for (const record of page.records)
      await ingestChangeEvent(ingest, event('hubspot', record.id, record.modifiedAt));
    hubspotCount += page.records.length;
    after = page.after;
  } while (after);
  for (const lead of salesforceLeads)
    await ingestChangeEvent(ingest, event('salesforce', lead.id, lead.modifiedAt));
  return { hubspot: hubspotCount, salesforce: salesforceLeads.length };
}
