import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import batch from '../../fixtures/hubspot/hubspot-webhook-batch.json' with { type: 'json' };
import type { HubSpotWebhookDeps } from '../../../src/server/hubspot-webhook-route.ts';
import { hubspotWebhookRoutes } from '../../../src/server/hubspot-webhook-route.ts';
import type { IngestJob, IngestQueue } from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { hubspotHeaders } from '../hubspot/sign.ts';

const SECRET = 'app-client-secret';
const NOW = 1_731_427_300_000;
const salesforce = {
  orgId: '00D000000000000AAA',
  accessToken: 'x',
  instanceUrl: 'https://x.my.salesforce.com',
};

function setup(options: { tenants?: unknown[]; publicUrl?: string; failEnqueue?: boolean } = {}) {
  // One entry per event, with the job that carries it.
  const added: Array<{ name: string; data: ChangeEvent; opts: { jobId: string } }> = [];
  const queue = {
    addBulk: async (jobs: IngestJob[]) => {
      if (options.failEnqueue) throw new Error('redis down');
      for (const job of jobs) added.push(...job.data.events.map((data) => ({ ...job, data })));
      return jobs;
    },
  } as unknown as IngestQueue;
  const config = LeadBridgeConfig.parse({
    tenants: options.tenants ?? [
      {
        id: 'acme',
        hubspot: { accessToken: 't', clientSecret: SECRET, portalId: 62515, signatureVersions: ['v3', 'v1'] },
        salesforce,
      },
    ],
  });
  const metrics = new Metrics({ collectDefaults: false });
  const deps: HubSpotWebhookDeps = {
    config,
    ingestQueue: queue,
    metrics,
    logger: silentLogger(),
    publicUrl: options.publicUrl,
    now: () => new Date(NOW),
  };
  const app = express();
  app.set('trust proxy', true);
  app.use(hubspotWebhookRoutes(deps));
  return { app, added, metrics };
}

async function outcome(metrics: Metrics, name: string): Promise<number> {
  const metric = await metrics.webhookEvents.get();
  return metric.values.find((value) => value.labels.outcome === name)?.value ?? 0;
}

function post(
  app: express.Express,
  body: string,
  headers: Record<string, string>,
  path = '/webhooks/hubspot',
) {
  return request(app).post(path).set(headers).send(body);
}

describe('POST /webhooks/hubspot', () => {
  const body = JSON.stringify(batch);

  it('verifies the v3 signature over the raw bytes, enqueues change events in bulk and answers 200', async () => {
    const { app, added, metrics } = setup();
    const res = await request(app)
      .post('/webhooks/hubspot')
      .set('Host', 'hooks.example.com')
      .set('X-Forwarded-Proto', 'https')
      .set(
        hubspotHeaders({
          secret: SECRET,
          uri: 'https://hooks.example.com/webhooks/hubspot',
          body,
          timestamp: NOW - 2_000,
        }),
      )
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 5, enqueued: 5, ignored: 0, unknownPortal: 0 });
    expect(added.map((job) => job.data.kind)).toEqual(['created', 'merged', 'deleted', 'updated', 'updated']);
    expect(added.every((job) => job.data.tenant === 'acme' && job.opts.jobId.startsWith('evs-'))).toBe(true);
    expect(await outcome(metrics, 'enqueued')).toBe(5);
  });

  it('keeps the exact bytes: a body with \\u escapes verifies as sent, not as re-serialised', async () => {
    const { app, added } = setup({ publicUrl: 'https://hooks.example.com' });
    const escaped = body.replace('"changeSource":"FORM"', '"changeSource":"FORM","note":"Yll\\u00e4"');
    const res = await post(
      app,
      escaped,
      hubspotHeaders({
        secret: SECRET,
        uri: 'https://hooks.example.com/webhooks/hubspot',
        body: escaped,
        timestamp: NOW,
      }),
    );
    expect(res.status).toBe(200);
    expect(added).toHaveLength(5);
  });

  it('signs against LEADBRIDGE_PUBLIC_URL with its query string and escapes, not the internal URL', async () => {
    const { app } = setup({ publicUrl: 'https://public.example.com/' });
    const path = '/webhooks/hubspot?src=hub%3Aspot&a=b%20c';
    const signed = 'https://public.example.com/webhooks/hubspot?src=hub:spot&a=b%20c';
    expect(
      (await post(app, body, hubspotHeaders({ secret: SECRET, uri: signed, body, timestamp: NOW }), path))
        .status,
    ).toBe(200);
    expect(
      (
        await post(
          app,
          body,
          hubspotHeaders({ secret: SECRET, uri: `http://127.0.0.1${path}`, body, timestamp: NOW }),
          path,
        )
      ).status,
    ).toBe(401);
  });

  it('answers 401 and enqueues nothing for a tampered body, a wrong secret, a stale timestamp or no signature', async () => {
    const { app, added, metrics } = setup({ publicUrl: 'https://h.example.com' });
    const uri = 'https://h.example.com/webhooks/hubspot';
    const good = hubspotHeaders({ secret: SECRET, uri, body, timestamp: NOW });
    expect((await post(app, body.replace('51234567801', '51234567809'), good)).status).toBe(401);
    expect(
      (await post(app, body, hubspotHeaders({ secret: 'wrong', uri, body, timestamp: NOW }))).status,
    ).toBe(401);
    expect(
      (await post(app, body, hubspotHeaders({ secret: SECRET, uri, body, timestamp: NOW - 301_000 }))).status,
    ).toBe(401);
    expect((await post(app, body, { 'content-type': 'application/json' })).status).toBe(401);
    expect(added).toHaveLength(0);
    expect(await outcome(metrics, 'rejected_signature')).toBe(4);
  });

  it('accepts v1 only for tenants that enable it', async () => {
    const { createHash } = await import('node:crypto');
    const v1 = {
      'content-type': 'application/json',
      'x-hubspot-signature': createHash('sha256')
        .update(SECRET + body)
        .digest('hex'),
      'x-hubspot-signature-version': 'v1',
    };
    expect((await post(setup().app, body, v1)).status).toBe(200);
    const v3only = setup({
      tenants: [
        { id: 'acme', hubspot: { accessToken: 't', clientSecret: SECRET, portalId: 62515 }, salesforce },
      ],
    });
    expect((await post(v3only.app, body, v1)).status).toBe(401);
  });

  it('checks each app secret with its own tenant\u2019s versions: a v1-only app next to a v3 one still verifies', async () => {
    // HubSpot sends v3 alongside v1; the v3 header of the v1-only app must not decide its fate.
    const { createHash } = await import('node:crypto');
    const { app, added } = setup({
      tenants: [
        {
          id: 'legacy',
          hubspot: { accessToken: 't', clientSecret: SECRET, portalId: 62515, signatureVersions: ['v1'] },
          salesforce,
        },
        {
          id: 'modern',
          hubspot: {
            accessToken: 't',
            clientSecret: 'other-secret',
            portalId: 99,
            signatureVersions: ['v3'],
          },
          salesforce,
        },
      ],
    });
    const uri = 'http://127.0.0.1/webhooks/hubspot';
    const headers = {
      ...hubspotHeaders({ secret: SECRET, uri, body, timestamp: NOW - 1_000 }),
      'x-hubspot-signature': createHash('sha256')
        .update(SECRET + body)
        .digest('hex'),
      'x-hubspot-signature-version': 'v1',
    };
    const res = await request(app).post('/webhooks/hubspot').set('Host', '127.0.0.1').set(headers).send(body);
    expect(res.status).toBe(200);
    expect(added.every((job) => job.data.tenant === 'legacy')).toBe(true);
    expect(added.length).toBeGreaterThan(0);
  });

  it('reads the signature headers whatever their case', async () => {
    const { app, added } = setup();
    const signed = hubspotHeaders({
      secret: SECRET,
      uri: 'http://127.0.0.1/webhooks/hubspot',
      body,
      timestamp: NOW,
    });
    const res = await request(app)
      .post('/webhooks/hubspot')
      .set('Host', '127.0.0.1')
      .set('Content-Type', 'application/json')
      .set('X-HubSpot-Signature-V3', signed['x-hubspot-signature-v3']!)
      .set('X-HUBSPOT-REQUEST-TIMESTAMP', signed['x-hubspot-request-timestamp']!)
      .send(body);
    expect(res.status).toBe(200);
    expect(added).toHaveLength(5);
  });

  it('answers 400 for a malformed body and 413 for an oversized one, enqueuing nothing', async () => {
    const { app, added } = setup({ publicUrl: 'https://h.example.com' });
    const uri = 'https://h.example.com/webhooks/hubspot';
    const sign = (payload: string) => hubspotHeaders({ secret: SECRET, uri, body: payload, timestamp: NOW });
    for (const bad of ['{not json', '{"eventId":1}', '[{"eventId":1,"portalId":62515}]', '[]'])
      expect((await post(app, bad, sign(bad))).status).toBe(400);
    const huge = JSON.stringify(
      Array.from({ length: 3_000 }, (_, i) => ({ ...batch[1], eventId: i, propertyValue: 'x'.repeat(100) })),
    );
    expect((await post(app, huge, sign(huge))).status).toBe(413);
    expect(added).toHaveLength(0);
  });

  it('acknowledges unknown subscription types and unclaimed portals without failing the batch', async () => {
    const { app, added, metrics } = setup({ publicUrl: 'https://h.example.com' });
    const mixed = JSON.stringify([
      batch[0],
      { ...batch[0], eventId: 5, subscriptionType: 'contact.associationChange' },
      { ...batch[0], eventId: 6, subscriptionType: 'conversation.newMessage' },
      { ...batch[0], eventId: 7, portalId: 999 },
    ]);
    const res = await post(
      app,
      mixed,
      hubspotHeaders({
        secret: SECRET,
        uri: 'https://h.example.com/webhooks/hubspot',
        body: mixed,
        timestamp: NOW,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 4, enqueued: 1, ignored: 2, unknownPortal: 1 });
    expect(added).toHaveLength(1);
    expect(await outcome(metrics, 'unknown_portal')).toBe(1);
  });

  it('gives a redelivery (higher attemptNumber) the same job ids, so the queue drops it', async () => {
    const { app, added } = setup({ publicUrl: 'https://h.example.com' });
    const uri = 'https://h.example.com/webhooks/hubspot';
    const retry = JSON.stringify(
      batch.map((event) => ({ ...event, attemptNumber: event.attemptNumber + 1 })),
    );
    await post(app, body, hubspotHeaders({ secret: SECRET, uri, body, timestamp: NOW }));
    await post(app, retry, hubspotHeaders({ secret: SECRET, uri, body: retry, timestamp: NOW }));
    // One job per delivery, its id from the events' identities, which a retry keeps.
    const ids = added.map((job) => job.opts.jobId);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(1);
  });

  it('routes events by portal to their tenant, and lets the only tenant without a portalId take the rest', async () => {
    const { app, added } = setup({
      publicUrl: 'https://h.example.com',
      tenants: [
        { id: 'acme', hubspot: { accessToken: 't', clientSecret: SECRET, portalId: 62515 }, salesforce },
        { id: 'other', hubspot: { accessToken: 't', clientSecret: SECRET }, salesforce },
      ],
    });
    const two = JSON.stringify([batch[0], { ...batch[0], eventId: 9, portalId: 777 }]);
    await post(
      app,
      two,
      hubspotHeaders({
        secret: SECRET,
        uri: 'https://h.example.com/webhooks/hubspot',
        body: two,
        timestamp: NOW,
      }),
    );
    expect(added.map((job) => job.data.tenant)).toEqual(['acme', 'other']);
  });

  it('refuses each bad input with its status and message, and enqueues none of it', async () => {
    const { app, added } = setup({ publicUrl: 'https://h.example.com' });
    const uri = 'https://h.example.com/webhooks/hubspot';
    const sign = (payload: string, timestamp = NOW) =>
      hubspotHeaders({ secret: SECRET, uri, body: payload, timestamp });
    const event = batch[1] as Record<string, unknown>;
    const malformed = (events: unknown) => {
      const payload = JSON.stringify(events);
      return { payload, headers: sign(payload) };
    };
    const cases: Array<{
      payload: string;
      headers: Record<string, string>;
      status: number;
      message: string;
    }> = [
      {
        payload: body,
        headers: { 'content-type': 'text/plain', ...omitType(sign(body)) },
        status: 415,
        message: 'expected application/json',
      },
      {
        payload: body,
        headers: { 'content-type': 'application/json' },
        status: 401,
        message: 'invalid or stale signature',
      },
      {
        payload: body.replace('51234567801', '51234567809'),
        headers: sign(body),
        status: 401,
        message: 'invalid or stale signature',
      },
      {
        payload: body,
        headers: sign(body, NOW - 301_000),
        status: 401,
        message: 'invalid or stale signature',
      },
      {
        payload: body,
        headers: sign(body, NOW + 120_000),
        status: 401,
        message: 'invalid or stale signature',
      },
      { payload: '{not json', headers: sign('{not json'), status: 400, message: 'body is not JSON' },
      ...[
        [],
        {},
        [{}],
        [{ ...event, portalId: -1 }],
        [{ ...event, portalId: 1.5 }],
        [{ ...event, eventId: 'x' }],
        [{ ...event, objectId: -3 }],
        [{ ...event, occurredAt: 8.64e15 + 1 }],
        [{ ...event, subscriptionType: '' }],
        [{ ...event, subscriptionType: undefined }],
        [{ ...event, propertyName: 7 }],
        [{ ...event, mergedObjectIds: ['1', 'x'] }],
        [event, 42],
      ].map((events) => ({
        ...malformed(events),
        status: 400,
        message: 'body is not a HubSpot event array',
      })),
    ];
    for (const { payload, headers, status, message } of cases) {
      const res = await post(app, payload, headers);
      expect({ payload, status: res.status, body: res.body as unknown }).toEqual({
        payload,
        status,
        body: { status: 'error', message },
      });
    }
    const huge = JSON.stringify(
      Array.from({ length: 3_000 }, (_, i) => ({ ...event, eventId: i, propertyValue: 'x'.repeat(100) })),
    );
    const tooLarge = await post(app, huge, sign(huge));
    expect([tooLarge.status, tooLarge.body]).toEqual([413, { status: 'error', message: 'body too large' }]);
    expect(added).toHaveLength(0);
  });

  it('accepts the unusual but valid forms the schema takes (string ids, eventType, extra fields)', async () => {
    const { app, added } = setup({ publicUrl: 'https://h.example.com' });
    const uri = 'https://h.example.com/webhooks/hubspot';
    const { subscriptionType, ...legacy } = batch[1] as Record<string, unknown>;
    const events = [
      { ...legacy, eventType: subscriptionType, objectId: '51234567890', eventId: '77', newField: { a: 1 } },
    ];
    const payload = JSON.stringify(events);
    const res = await post(
      app,
      payload,
      hubspotHeaders({ secret: SECRET, uri, body: payload, timestamp: NOW }),
    );
    expect(res.status).toBe(200);
    expect(added.map((job) => [job.name, job.data.objectId])).toEqual([['hubspot-updated', '51234567890']]);
  });

  it('answers 503 when the queue cannot take the events, so HubSpot retries', async () => {
    const { app } = setup({ publicUrl: 'https://h.example.com', failEnqueue: true });
    const res = await post(
      app,
      body,
      hubspotHeaders({ secret: SECRET, uri: 'https://h.example.com/webhooks/hubspot', body, timestamp: NOW }),
    );
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'error', message: 'could not enqueue; retry later' });
  });
});

function omitType(headers: Record<string, string>): Record<string, string> {
  const { 'content-type': _type, ...rest } = headers;
  return rest;
}
