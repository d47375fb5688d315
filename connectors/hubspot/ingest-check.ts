import type { HubSpotTenantConfig } from '../../src/config/tenant-schema.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { SetupCheck } from '../types.ts';
import type { HubSpotClient } from './client.ts';
import { journalBase } from './journal-client.ts';

/** doctor/install: whether the tenant's `hubspot.ingest` mode can work as configured. */
export async function checkIngestMode(
  client: HubSpotClient,
  hubspot: HubSpotTenantConfig,
): Promise<SetupCheck> {
  const name = 'hubspot ingest';
  if (hubspot.ingest === 'polling')
    return { name, ok: true, detail: 'polling only: changes are seen every sync.pollInterval' };
  if (hubspot.ingest === 'webhooks')
    return hubspot.clientSecret
      ? {
          name,
          ok: true,
          detail:
            'webhooks to /webhooks/hubspot (HubSpot must reach LEADBRIDGE_PUBLIC_URL), polling as the safety net',
        }
      : {
          // Not a failure: the pollers still find every change, only later. (A warning would fit better;
          // setup checks have no warning level.)
          name,
          ok: true,
          detail:
            'webhooks, but no clientSecret is set: HubSpot webhooks are refused (401) and changes arrive by polling only; set tenants[].hubspot.clientSecret, or hubspot.ingest: journal when HubSpot cannot reach this server',
        };
  const base = journalBase(client.paths.version);
  try {
    const info = await client.request(
      { method: 'GET', path: `${base}/latest` },
      'standard',
      `GET ${base}/latest`,
    );
    const offset = (info.data as { currentOffset?: unknown } | undefined)?.currentOffset;
    return {
      name,
      ok: true,
      detail: `Webhooks Journal readable at ${base} (${typeof offset === 'string' ? `latest offset ${offset}` : 'empty so far'}), every ${hubspot.journalInterval}`,
    };
  } catch (err) {
    const status = err instanceof PermanentError ? err.status : undefined;
    return {
      name,
      ok: false,
      detail: `the Webhooks Journal could not be read: ${(err as Error).message}`,
      fix:
        status === 401 || status === 403
          ? 'give the app the webhooks-journal scopes (webhooks journal reads need an app token with developer.webhooks_journal.read) and subscribe it to contact events, or set hubspot.ingest to webhooks or polling'
          : 'check tenants[].hubspot.apiVersion and baseUrl, or set hubspot.ingest to webhooks or polling',
    };
  }
}
