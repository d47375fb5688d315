import type { TenantConnectors } from '../connectors/index.ts';
import type { SystemName } from '../src/domain/lead.ts';

/**
 * How many records a backfill of `system` will read, for a progress bar with a total and an ETA: HubSpot's
 * search reports the contact count in `total` (one search call, limit 1); Salesforce answers
 * `SELECT COUNT() FROM Lead` with `totalSize` (one query). Null when it cannot be had; the backfill
 * goes on without a total.
 * https://developers.hubspot.com/docs/api/crm/search
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm
 */
export async function countRecords(connectors: TenantConnectors, system: SystemName): Promise<number | null> {
  try {
    if (system === 'hubspot') {
      const page = await connectors.hubspot.client.search({
        filterGroups: [],
        sorts: ['hs_object_id'],
        properties: ['hs_object_id'],
        limit: 1,
      });
      return typeof page.total === 'number' ? page.total : null;
    }
    const { client } = connectors.salesforce;
    await client.beforeWork();
    await client.integrationUserId();
    const result = await client.conn.query('SELECT COUNT() FROM Lead');
    return typeof result.totalSize === 'number' ? result.totalSize : null;
  } catch {
    return null;
  }
}

/** Seconds left at the rate so far; null before the first record or without a total. */
export function etaSeconds(done: number, total: number | null, elapsedMs: number): number | null {
  if (total === null || done <= 0 || elapsedMs <= 0) return null;
  return Math.max(0, Math.round(((total - done) * elapsedMs) / done / 1000));
}
