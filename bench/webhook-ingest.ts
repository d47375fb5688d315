import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { computeSignature } from '../connectors/hubspot/signature.ts';
import { createIngestQueue, enqueueChangeEvents } from '../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../src/config/schema.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import { silentLogger } from '../src/log/logger.ts';
import { Metrics } from '../src/metrics/prometheus.ts';
import { createApp } from '../src/server/app.ts';
import type { ScenarioResult } from './scenario.ts';

const SECRET = 'bench-client-secret';
const PORTAL = 62515;
const EVENTS_PER_BATCH = 100;

function hubspotBatch(batch: number): unknown[] {
  return Array.from({ length: EVENTS_PER_BATCH }, (_, index) => ({
    eventId: batch * EVENTS_PER_BATCH + index,
    subscriptionId: 1,
    portalId: PORTAL,
    appId: 1,
    occurredAt: 1_731_427_200_000 + index,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 5_100_000_000 + batch * EVENTS_PER_BATCH + index,
    propertyName: 'lifecyclestage',
    propertyValue: 'marketingqualifiedlead',
    changeSource: 'CRM_UI',
  }));
}

/**
 * Time to accept signed HubSpot webhook batches through the whole route (signature, zod, change events,
 * addBulk to Redis) against the baseline of adding the same events to the queue directly.
 */
export async function webhookIngestScenario(batches: number): Promise<ScenarioResult> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const logger = silentLogger();
  const routePrefix = `lbbench-route-${process.pid}`;
  const basePrefix = `lbbench-base-${process.pid}`;
  const routeQueue = createIngestQueue(redis, logger, routePrefix);
  const baseQueue = createIngestQueue(redis, logger, basePrefix);
  const config = LeadBridgeConfig.parse({
    tenants: [
      {
        id: 'bench',
        hubspot: { accessToken: 't', clientSecret: SECRET, portalId: PORTAL },
        salesforce: { orgId: '00D000000000000AAA', accessToken: 't', instanceUrl: 'https://x.example' },
      },
    ],
  });
  const app = createApp({
    config,
    redis,
    ingestQueue: routeQueue,
    metrics: new Metrics({ collectDefaults: false }),
    logger,
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks/hubspot`;
  try {
    const bodies = Array.from({ length: batches }, (_, batch) => JSON.stringify(hubspotBatch(batch)));
    const routeStart = performance.now();
    for (const body of bodies) {
      const timestamp = String(Date.now());
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hubspot-request-timestamp': timestamp,
          'x-hubspot-signature-v3': computeSignature('v3', {
            clientSecret: SECRET,
            method: 'POST',
            uri: url,
            body,
            timestamp,
          }),
        },
        body,
      });
      if (response.status !== 200)
        throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    }
    const routeMs = performance.now() - routeStart;

    const baseStart = performance.now();
    for (let batch = 0; batch < batches; batch += 1) {
      const events: ChangeEvent[] = hubspotBatch(batch).map((raw) => {
        const event = raw as { objectId: number; eventId: number; occurredAt: number };
        return {
          tenant: 'bench',
          system: 'hubspot',
          objectId: String(event.objectId),
          occurredAt: new Date(event.occurredAt).toISOString(),
          kind: 'updated',
          source: 'webhook',
          dedupKey: `${PORTAL}:${event.objectId}:${event.eventId}`,
        };
      });
      await enqueueChangeEvents(baseQueue, events);
    }
    const baseMs = performance.now() - baseStart;
    const accepted = await routeQueue.count();
    if (accepted !== batches * EVENTS_PER_BATCH) throw new Error(`route enqueued ${accepted} events`);
    return {
      name: 'hubspot webhook route vs bare addBulk',
      records: batches * EVENTS_PER_BATCH,
      measured: routeMs,
      reference: baseMs,
      referenceLabel: 'baseline: addBulk alone',
      unit: 'ms',
      note: `${((batches * EVENTS_PER_BATCH) / (routeMs / 1000)).toFixed(0)} events/s accepted through the route`,
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await routeQueue.obliterate({ force: true });
    await baseQueue.obliterate({ force: true });
    await routeQueue.close();
    await baseQueue.close();
    await redis.quit();
  }
}
