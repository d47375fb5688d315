import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig } from '../../config/load.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import { packageRoot } from '../package-info.ts';

export interface DemoTargets {
  hubspotUrl: string;
  salesforceUrl: string;
  /** Secret the HubSpot emulator signs webhooks with. */
  clientSecret: string;
  portalId: number;
  orgId: string;
  /** Round robin over these Salesforce users, and notifications to a local receiver. */
  notify?: { receiverUrl: string; secret: string; pool: string[] };
}

/**
 * Faster than an install's defaults so the story plays out in seconds: webhooks are the fast path, and
 * the pollers (the safety net) still run often enough to be seen working.
 */
const DEMO_SYNC = { pollInterval: '15s', pollOverlap: '2m', debounce: '300ms' };

/**
 * The demo's config as YAML: `leadbridge.config.example.yaml` as shipped (lifecycle, scoring, handoff gate,
 * SLA and field mapping unchanged), its one tenant pointed at the emulators, with shorter sync timings.
 */
export function demoConfigText(targets: DemoTargets): string {
  const document = parseDocument(readFileSync(join(packageRoot(), 'leadbridge.config.example.yaml'), 'utf8'));
  document.setIn(['tenants', 0, 'id'], 'demo');
  const hubspot = {
    accessToken: 'demo-token',
    clientSecret: targets.clientSecret,
    baseUrl: targets.hubspotUrl,
    portalId: targets.portalId,
  };
  for (const [key, value] of Object.entries(hubspot)) document.setIn(['tenants', 0, 'hubspot', key], value);
  const salesforce = {
    loginUrl: targets.salesforceUrl,
    instanceUrl: targets.salesforceUrl,
    clientId: 'demo-client',
    clientSecret: 'demo-client-secret',
    refreshToken: 'demo-refresh-token',
    orgId: targets.orgId,
  };
  for (const [key, value] of Object.entries(salesforce))
    document.setIn(['tenants', 0, 'salesforce', key], value);
  for (const [key, value] of Object.entries(DEMO_SYNC)) document.setIn(['sync', key], value);
  if (targets.notify) {
    const { receiverUrl, secret, pool } = targets.notify;
    document.setIn(['tenants', 0, 'owners'], { strategy: 'round_robin', pool: pool.map((id) => ({ id })) });
    document.setIn(['tenants', 0, 'notifications'], {
      webhook: { url: `${receiverUrl}/webhook`, secret },
      slack: { webhookUrl: `${receiverUrl}/slack` },
      salesforceTask: {},
      publicLinks: { hubspotPortalUrl: `https://app.hubspot.com/contacts/${targets.portalId}` },
    });
  }
  return document.toString();
}

export function demoConfig(targets: DemoTargets): LeadBridgeConfig {
  return parseConfig(demoConfigText(targets), {}, 'demo config');
}
