import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIngestQueue,
  eventsOfIngestJob,
  ingestBatchJobId,
  type IngestQueue,
} from '../../../jobs/ingest-queue.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';
import { hubspotHeaders } from '../../unit/hubspot/sign.ts';
import { hubspotConfig } from '../hubspot/helpers.ts';

// Concurrent signed webhook requests to the real app on a real BullMQ queue: they share addBulk calls,
// and every one still answers 200 only with its own jobs stored under their deterministic ids.

const SECRET = 'coalesce-app-secret';
const PORTAL = 62515;
const PREFIX = `test-hs-coalesce-${process.pid}-${Date.now()}`;
let redis: Redis;
let queue: IngestQueue;
let server: Server;
let appUrl: string;
let addBulkCalls = 0;
/** Job ids of each addBulk call, in call order. */
const callJobIds: string[][] = [];
/** The addBulk call (1-based) that fails, if any. */
let failingCall = 0;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = createIngestQueue(redis, silentLogger(), PREFIX);
  const addBulk = queue.addBulk.bind(queue);
  // A Redis a little slower than this one, so that requests arrive while an addBulk is in flight.
  queue.addBulk = async (jobs) => {
    addBulkCalls += 1;
    const call = addBulkCalls;
    callJobIds.push(jobs.map((job) => job.opts?.jobId as string));
    await new Promise((resolve) => setTimeout(resolve, 30));
    if (call === failingCall) throw new Error('redis refused this MULTI');
    return addBulk(jobs);
  };
  const app = createApp({
    config: hubspotConfig('http://127.0.0.1:1', { clientSecret: SECRET, portalId: PORTAL }),
    redis,
    ingestQueue: queue,
    metrics: new Metrics({ collectDefaults: false }),
    logger: silentLogger(),
  });
  server = await new Promise<Server>((resolve) => {
    const listening = (app as express.Express).listen(0, '127.0.0.1', () => resolve(listening));
  });
  appUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

function batch(first: number) {
  return Array.from({ length: 10 }, (_, index) => ({
    eventId: first + index,
    subscriptionId: 1,
    portalId: PORTAL,
    appId: 1,
    occurredAt: Date.now(),
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 7_000_000 + first + index,
    propertyName: 'lifecyclestage',
    propertyValue: 'lead',
  }));
}

/** Posts every body, signed, on its own socket; the answers' statuses and bodies, in order. */
async function postAll(bodies: ReturnType<typeof batch>[]) {
  const uri = `${appUrl}/webhooks/hubspot`;
  // Raw sockets, every request written in one synchronous loop, so the server reads them together as a
  // busy server does (fetch would send them one event-loop turn apart on an idle one).
  const port = (server.address() as { port: number }).port;
  const sockets = await Promise.all(
    bodies.map(
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => resolve(socket));
        }),
    ),
  );
  const replies = sockets.map(
    (socket) =>
      new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
      }),
  );
  bodies.forEach((events, index) => {
    const body = JSON.stringify(events);
    const headers = hubspotHeaders({ secret: SECRET, uri, body, timestamp: Date.now() });
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    sockets[index]!.write(
      [
        'POST /webhooks/hubspot HTTP/1.1',
        `host: 127.0.0.1:${port}`,
        ...lines,
        `content-length: ${Buffer.byteLength(body)}`,
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
  return (await Promise.all(replies)).map((reply) => ({
    status: Number(reply.split(' ')[1]),
    json: JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { enqueued?: number },
  }));
}

/** The deterministic ingest job ids of one request's events: one job carries them all. */
function jobIdsOf(events: ReturnType<typeof batch>): string[] {
  return [
    ingestBatchJobId(
      events.map((event) => ({
        tenant: 'acme',
        system: 'hubspot' as const,
        dedupKey: [
          event.portalId,
          event.subscriptionType,
          event.objectId,
          event.eventId,
          event.occurredAt,
        ].join('/'),
      })),
    ),
  ];
}

describe('POST /webhooks/hubspot under concurrent requests', () => {
  it('stores every request’s jobs with fewer addBulk round trips than requests', async () => {
    const bodies = Array.from({ length: 40 }, (_, index) => batch(index * 10 + 1));
    const answers = await postAll(bodies);
    expect(answers.map((answer) => answer.status)).toEqual(bodies.map(() => 200));
    expect(answers.map((answer) => answer.json.enqueued)).toEqual(bodies.map(() => 10));
    expect(addBulkCalls).toBeGreaterThan(0);
    expect(addBulkCalls).toBeLessThan(bodies.length);
    const jobs = await queue.getJobs(['wait', 'delayed', 'prioritized']);
    expect(jobs).toHaveLength(bodies.length);
    expect(jobs.flatMap((job) => eventsOfIngestJob(job.data))).toHaveLength(400);
    expect(new Set(jobs.map((job) => job.id))).toEqual(new Set(bodies.flatMap(jobIdsOf)));
  });
  it('answers 503 to exactly the requests of a failed addBulk while the others in flight are stored', async () => {
    const before = addBulkCalls;
    failingCall = before + 2;
    const bodies = Array.from({ length: 40 }, (_, index) => batch(100_000 + index * 10 + 1));
    const answers = await postAll(bodies);
    failingCall = 0;
    expect(addBulkCalls - before).toBeGreaterThanOrEqual(3);
    const failed = new Set(callJobIds[before + 1]);
    expect(failed.size).toBeGreaterThan(0);
    const stored = new Set(
      (await queue.getJobs(['wait', 'delayed', 'prioritized'])).map((job) => job.id as string),
    );
    bodies.forEach((events, index) => {
      const ids = jobIdsOf(events);
      if (ids.some((id) => failed.has(id))) {
        expect(answers[index]!.status).toBe(503);
        expect(ids.filter((id) => stored.has(id))).toEqual([]);
      } else {
        expect(answers[index]!.status).toBe(200);
        expect(ids.filter((id) => !stored.has(id))).toEqual([]);
      }
    });
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThan(0);
  });
});
