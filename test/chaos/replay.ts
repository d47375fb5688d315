import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import { buildOutboundEnvelope } from '../../connectors/salesforce/emulator/outbound-envelope.ts';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';
import { computeSignature } from '../../connectors/hubspot/signature.ts';
import { QUEUE_NAMES } from '../../jobs/queue-names.ts';
import { PendingRefs } from '../../jobs/pending-refs.ts';
import { waitUntil } from './chaos-fixture.ts';

/** The app secret the chaos configs give HubSpot, so the replay can sign its webhooks. */
export const CHAOS_CLIENT_SECRET = 'chaos-client-secret';

/** Adds the HubSpot app secret to an emulator config (YAML as `emulatorConfig` writes it). */
export function withClientSecret(yaml: string): string {
  return yaml.replace(
    /accessToken: (\S+), baseUrl: (\S+) \}/,
    `accessToken: $1, baseUrl: $2, clientSecret: ${CHAOS_CLIENT_SECRET} }`,
  );
}

/** Posts a webhook body to LeadBridge as HubSpot does: signed v3 with the app secret, 200 expected. */
export async function postSignedWebhook(uri: string, body: string): Promise<void> {
  const timestamp = String(Date.now());
  const signature = computeSignature('v3', {
    clientSecret: CHAOS_CLIENT_SECRET,
    method: 'POST',
    uri,
    body,
    timestamp,
  });
  const response = await fetch(uri, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': timestamp,
    },
    body,
  });
  if (response.status !== 200) throw new Error(`webhook: ${response.status} ${await response.text()}`);
}

/** One HubSpot contact notification (deletion, privacy deletion...) as a webhook body. */
export function contactEvent(subscriptionType: string, objectId: string, eventId: number): string {
  return JSON.stringify([
    {
      eventId,
      subscriptionId: 2847331,
      portalId: 62515,
      appId: 1,
      occurredAt: Date.now(),
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(objectId),
      changeSource: 'CRM_UI',
    },
  ]);
}

/**
 * A replay of every change notification, as HubSpot and Salesforce would send them, over HTTP to the
 * running server: one `contact.propertyChange` per live contact in signed (v3) batches of 100, and one
 * Outbound Message per live Lead, 100 notifications per message. Resolves with the requests sent.
 */
export async function replayEverything(
  serverUrl: string,
  hubspot: HubSpotEmulator,
  salesforce: SalesforceEmulator,
): Promise<{ webhookBatches: number; outboundMessages: number; records: number }> {
  const uri = `${serverUrl}/webhooks/hubspot`;
  const contacts = [...hubspot.store.contacts.values()].filter((contact) => !contact.archived);
  let webhookBatches = 0;
  for (let i = 0; i < contacts.length; i += 100) {
    const body = JSON.stringify(
      contacts.slice(i, i + 100).map((contact, j) => ({
        eventId: 900_000 + i + j,
        subscriptionId: 2847330,
        portalId: 62515,
        appId: 1,
        occurredAt: Date.now(),
        subscriptionType: 'contact.propertyChange',
        attemptNumber: 0,
        objectId: Number(contact.id),
        propertyName: 'lastname',
        propertyValue: contact.properties.lastname ?? '',
        changeSource: 'CRM_UI',
      })),
    );
    await postSignedWebhook(uri, body);
    webhookBatches++;
  }
  const leads = salesforce.state.store.rows('Lead').filter((row) => !row.IsDeleted);
  let outboundMessages = 0;
  for (let i = 0; i < leads.length; i += 100) {
    const envelope = buildOutboundEnvelope({
      organizationId: salesforce.orgId,
      actionId: '04k5g000000CaSNAA0',
      baseUrl: salesforce.url,
      apiVersion: '66.0',
      notifications: leads.slice(i, i + 100).map((row, j) => ({
        id: `04l5g00000R${String(i + j).padStart(4, '0')}AAA`,
        objectType: 'Lead',
        fields: { Id: String(row.Id), Status: String(row.Status ?? '') },
      })),
    });
    const response = await fetch(`${serverUrl}/webhooks/salesforce`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: envelope,
    });
    const text = await response.text();
    if (response.status !== 200 || !text.includes('<Ack>true</Ack>'))
      throw new Error(`outbound replay: ${response.status} ${text}`);
    outboundMessages++;
  }
  return { webhookBatches, outboundMessages, records: contacts.length + leads.length };
}

/** Waits until the workers have taken in every event and reconciled every pending record of `tenant`. */
export async function waitForDrain(prefix: string, tenant: string, timeoutMs: number): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const ingest = new Queue(QUEUE_NAMES.ingest, { connection: redis, prefix });
  const reconcile = new Queue(QUEUE_NAMES.reconcile, { connection: redis, prefix });
  const pending = new PendingRefs(redis, { prefix: `${prefix}:store` });
  try {
    await waitUntil(
      async () => {
        const counts = await ingest.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const busy = await reconcile.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const left =
          Object.values(counts).reduce((a, b) => a + b, 0) + Object.values(busy).reduce((a, b) => a + b, 0);
        return left === 0 && (await pending.count(tenant)) === 0;
      },
      timeoutMs,
      'the workers to drain the replay',
    );
  } finally {
    await ingest.close();
    await reconcile.close();
    await redis.quit();
  }
}
