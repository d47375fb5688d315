import type { Server } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import batchFixture from '../../fixtures/hubspot/hubspot-webhook-batch.json' with { type: 'json' };
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import { verifySignature } from '../../../connectors/hubspot/signature.ts';
import { createIngestQueue, eventsOfIngestJob, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';
import { hubspotHeaders } from '../../unit/hubspot/sign.ts';
import { hubspotConfig } from './helpers.ts';

// The emulator delivers signed v3 batches to the real `leadbridge serve` app, which enqueues them in a
// real BullMQ queue on Redis.

const SECRET = 'emulator-app-secret';
const PORTAL = 62515;
const PREFIX = `test-hs-webhooks-${process.pid}-${Date.now()}`;
let redis: Redis;
let queue: IngestQueue;
let server: Server;
let appUrl: string;
let emulator: HubSpotEmulator;

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
const control = (path: string, body: unknown, method = 'POST') =>
  fetch(`${emulator.url}/__emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => {
    expect(res.status).toBe(200);
    return res.json() as Promise<Record<string, unknown>>;
  });

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = createIngestQueue(redis, silentLogger(), PREFIX);
  const config = hubspotConfig('http://127.0.0.1:1', { clientSecret: SECRET, portalId: PORTAL });
  server = await listen(
    createApp({
      config,
      redis,
      ingestQueue: queue,
      metrics: new Metrics({ collectDefaults: false }),
      logger: silentLogger(),
    }),
  );
  appUrl = `http://127.0.0.1:${portOf(server)}`;
  emulator = await startHubSpotEmulator({
    seed: 5,
    contacts: 10,
    webhook: {
      targetUrl: `${appUrl}/webhooks/hubspot`,
      clientSecret: SECRET,
      portalId: PORTAL,
      appId: 54321,
      gatherMs: 20,
      retryBaseMs: 20,
    },
  });
});
afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => server.close(resolve));
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

describe('emulator webhooks into the LeadBridge server', () => {
  it('turns UI edits into signed batches that land in the ingest queue as change events', async () => {
    const [a, b, c] = [...emulator.store.contacts.keys()];
    await control(
      `/contacts/${a}`,
      { properties: { jobtitle: 'CFO', phone: '+1 617-555-0100', lifecyclestage: 'salesqualifiedlead' } },
      'PATCH',
    );
    const created = await control('/contacts', {
      properties: { email: 'new.lead@initech.io', firstname: 'New' },
    });
    await control('/contacts/merge', { primaryId: b, mergedId: c });
    await control(`/contacts/${created.id as string}`, {}, 'DELETE');
    const stats = await control('/webhooks/flush', {});
    expect(stats).toMatchObject({ failures: 0, dropped: 0 });
    expect(stats.deliveredEvents).toBe(stats.events);
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    const events = jobs.flatMap((job) => eventsOfIngestJob(job.data));
    // Three property changes to one contact in one batch are one piece of work.
    expect(events.filter((event) => event.kind === 'updated' && event.objectId === a)).toHaveLength(1);
    expect(events.find((event) => event.kind === 'created')?.objectId).toBe(created.id);
    expect(events.find((event) => event.kind === 'merged')).toMatchObject({ objectId: b, mergedIds: [c] });
    expect(events.find((event) => event.kind === 'deleted')?.objectId).toBe(created.id);
    expect(events.every((event) => event.tenant === 'acme' && event.source === 'webhook')).toBe(true);
  });

  it('drops a redelivered batch at the queue: the same notifications make the same job ids', async () => {
    const body = JSON.stringify(
      batchFixture.map((event) => ({ ...event, occurredAt: event.occurredAt + 7 })),
    );
    const send = (payload: string) =>
      fetch(`${appUrl}/webhooks/hubspot`, {
        method: 'POST',
        headers: hubspotHeaders({
          secret: SECRET,
          uri: `${appUrl}/webhooks/hubspot`,
          body: payload,
          timestamp: Date.now(),
        }),
        body: payload,
      });
    const before = await queue.count();
    expect((await send(body)).status).toBe(200);
    const after = await queue.count();
    // One job carries the delivery's five events.
    expect(after - before).toBe(1);
    const retry = JSON.stringify(
      JSON.parse(body).map((event: { attemptNumber: number }) => ({
        ...event,
        attemptNumber: event.attemptNumber + 1,
      })),
    );
    expect((await send(retry)).status).toBe(200);
    expect(await queue.count()).toBe(after);
  });
});

describe('emulator webhook delivery', () => {
  it('batches at most 100 events, signs each try afresh, and retries a failed batch with attemptNumber + 1', async () => {
    const received: Array<{ events: Array<{ eventId: number; attemptNumber: number }>; valid: boolean }> = [];
    let failFirst = true;
    const receiver = express();
    receiver.post('/hook', express.raw({ type: () => true }), (req, res) => {
      const check = verifySignature({
        headers: req.headers,
        method: 'POST',
        uri: `http://127.0.0.1:${portOf(target)}/hook`,
        rawBody: req.body as Buffer,
        secrets: [SECRET],
        versions: ['v3'],
        now: Date.now(),
      });
      received.push({ events: JSON.parse((req.body as Buffer).toString()), valid: check.ok });
      if (failFirst) {
        failFirst = false;
        return res.status(500).end();
      }
      res.status(204).end();
    });
    const target = await listen(receiver);
    const local = await startHubSpotEmulator({
      webhook: {
        targetUrl: `http://127.0.0.1:${portOf(target)}/hook`,
        clientSecret: SECRET,
        portalId: PORTAL,
        appId: 1,
        gatherMs: 20,
        retryBaseMs: 20,
      },
    });
    try {
      for (let i = 0; i < 250; i++) local.store.create({ email: `p${i}@example.com` }, 'FORM');
      const stats = await local.webhooks!.flush().then(() => local.webhooks!.stats);
      expect(stats).toMatchObject({
        events: 250,
        deliveredEvents: 250,
        delivered: 3,
        failures: 1,
        dropped: 0,
      });
      expect(received.map((request) => request.events.length).sort()).toEqual([100, 100, 100, 50]);
      expect(received.every((request) => request.valid)).toBe(true);
      const first = received[0]!.events;
      const retried = received.find(
        (request, index) => index > 0 && request.events[0]?.eventId === first[0]?.eventId,
      );
      expect(retried?.events.every((event) => event.attemptNumber === 1)).toBe(true);
      expect(first.every((event) => event.attemptNumber === 0)).toBe(true);
    } finally {
      await local.close();
      await new Promise((resolve) => target.close(resolve));
    }
  });

  it('gives up after the last retry while the target stays down', async () => {
    const local = await startHubSpotEmulator({
      webhook: {
        targetUrl: 'http://127.0.0.1:1/unreachable',
        clientSecret: SECRET,
        portalId: PORTAL,
        appId: 1,
        gatherMs: 5,
        retryBaseMs: 1,
        maxRetries: 3,
      },
    });
    try {
      local.store.create({ email: 'x@example.com' }, 'FORM');
      await local.webhooks!.flush();
      expect(local.webhooks!.stats).toMatchObject({ requests: 4, failures: 4, dropped: 1, delivered: 0 });
    } finally {
      await local.close();
    }
  });
});
