import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { createIngestQueue, eventsOfIngestJob, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';
import { createRedis } from '../../../src/store/redis.ts';
import { configFor, control } from './helpers.ts';

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Outbound Messages from the emulator to `POST /webhooks/salesforce`', () => {
  const prefix = `lb-test-sf-outbound-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let queue: IngestQueue;
  let server: Server;
  let emulator: SalesforceEmulator;
  let attempts = 0;
  const refuseFirst = 2;

  beforeAll(async () => {
    redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger());
    queue = createIngestQueue(redis, silentLogger(), prefix);
    const holder: { app?: ReturnType<typeof createApp> } = {};
    // The listener is "down" for its first two deliveries, so the emulator must retry until acknowledged.
    server = createServer((req, res) => {
      attempts += 1;
      if (attempts <= refuseFirst || !holder.app) res.writeHead(503).end();
      else void holder.app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/salesforce`;
    emulator = await startSalesforceEmulator({
      seed: 3,
      seedCount: 20,
      outboundMessages: { targetUrl: target, retryDelayMs: 30 },
    });
    holder.app = createApp({
      config: configFor(emulator),
      redis,
      ingestQueue: queue,
      metrics: new Metrics({ collectDefaults: false }),
      logger: silentLogger(),
    });
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise((resolve) => server.close(resolve));
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it('sends a notification when a rep changes a status, retries until the Ack, and the event lands once', async () => {
    const leads = (await fetch(`${emulator.url}/__emulator/stats`).then((r) => r.json())) as {
      records: { Lead: number };
    };
    expect(leads.records.Lead).toBe(20);
    const id = String(emulator.state.store.rows('Lead')[0]?.Id ?? '');
    expect(id).toMatch(/^00Q/);
    const edit = (await control(emulator, `leads/${id}/edit`, {
      Status: 'Closed - Not Converted',
      Rejection_Reason__c: 'Not the decision maker',
    })) as { notificationId: string };
    expect(edit.notificationId).toMatch(/^04l/);

    const jobs = await waitFor(async () => {
      const found = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      return found.length > 0 ? found : undefined;
    });
    expect(jobs.flatMap((job) => eventsOfIngestJob(job.data))).toEqual([
      expect.objectContaining({
        tenant: 'acme',
        system: 'salesforce',
        objectId: id,
        kind: 'updated',
        source: 'outbound_message',
        dedupKey: expect.stringMatching(new RegExp(`^om:00D[A-Za-z0-9]{12}:${edit.notificationId}:${id}:`)),
      }),
    ]);
    const outbound = await waitFor(async () => {
      const s = (await control(emulator, 'stats')) as {
        outbound: { delivered: number; attempts: number; pending: number };
      };
      return s.outbound.delivered === 1 ? s.outbound : undefined;
    });
    expect(outbound).toMatchObject({ delivered: 1, attempts: refuseFirst + 1, pending: 0 });
  });
});
