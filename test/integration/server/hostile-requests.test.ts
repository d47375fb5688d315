import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOutboundEnvelope } from '../../../connectors/salesforce/emulator/outbound-envelope.ts';
import { hubspotHeaders } from '../../unit/hubspot/sign.ts';
import {
  HOSTILE_ADMIN_TOKEN,
  HOSTILE_ORG,
  HOSTILE_PORTAL,
  HOSTILE_SECRET,
  hostileApp,
  leaksInternals,
  listen,
} from '../../helpers/hostile-app.ts';

const bearer = { authorization: `Bearer ${HOSTILE_ADMIN_TOKEN}` };

describe('errors reach clients as short problem answers, never as stacks or paths', () => {
  const h = hostileApp('errors');
  afterAll(() => h.close());

  function expectClean(response: { status: number; text: string }, status: number) {
    expect(response.status).toBe(status);
    expect(leaksInternals(response.text)).toBe(false);
  }

  it('a bad content encoding on the Salesforce route gets a SOAP fault', async () => {
    for (const encoding of ['bogus', 'gzip']) {
      const response = await request(h.app)
        .post('/webhooks/salesforce')
        .set('content-type', 'text/xml; charset=utf-8')
        .set('content-encoding', encoding)
        .send('<not-gzip/>');
      expectClean(response, encoding === 'bogus' ? 415 : 400);
      expect(response.text).toContain('soapenv:Fault');
    }
    const charset = await request(h.app)
      .post('/webhooks/salesforce')
      .set('content-type', 'text/xml; charset=utf-8')
      .set('content-encoding', 'gzip')
      .send(gzipSync(Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x3c, 0x61])));
    expectClean(charset, 403);
    expect(h.enqueued).toEqual([]);
  });

  it('a malformed percent-escape in /api/leads/:key/explain is a 400 problem document', async () => {
    const response = await request(h.app).get('/api/leads/%E0%A4%A/explain').set(bearer);
    expectClean(response, 400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400 });
  });

  it('/report?since= with an overflowing duration is a 400', async () => {
    for (const since of ['99999999999999999999d', '999999999999999w', '1e400d']) {
      expectClean(await request(h.app).get(`/report.json?since=${since}`).set(bearer), 400);
      expectClean(await request(h.app).get(`/report?since=${since}`).set(bearer), 400);
    }
  });

  it('a signed HubSpot event with a huge occurredAt is a 400, and nothing is enqueued', async () => {
    const server = await listen(h.app);
    try {
      for (const occurredAt of [1e20, 8.64e15 + 1, Number.MAX_SAFE_INTEGER]) {
        const body = JSON.stringify([
          {
            eventId: 1,
            subscriptionId: 2,
            portalId: HOSTILE_PORTAL,
            occurredAt,
            subscriptionType: 'contact.propertyChange',
            objectId: 101,
            propertyName: 'email',
          },
        ]);
        const uri = `${server.url}/webhooks/hubspot`;
        const response = await fetch(uri, {
          method: 'POST',
          headers: hubspotHeaders({ secret: HOSTILE_SECRET, uri, body, timestamp: Date.now() }),
          body,
        });
        const text = await response.text();
        expect(response.status).toBe(400);
        expect(leaksInternals(text)).toBe(false);
      }
    } finally {
      await server.close();
    }
    expect(h.enqueued).toEqual([]);
  });

  it('unknown routes and methods get a problem document too', async () => {
    expectClean(await request(h.app).get('/wp-admin/../../etc/passwd'), 404);
    expectClean(await request(h.app).delete('/webhooks/hubspot'), 404);
  });
});

describe('a flood of large Outbound Messages does not starve /healthz', () => {
  const h = hostileApp('flood');
  afterAll(() => h.close());

  /** ~1.9 MB, 60,000 small elements: fast-xml-parser needs seconds of CPU for one. */
  const heavy = buildOutboundEnvelope({
    organizationId: HOSTILE_ORG,
    actionId: '04k5g000000CaSNAA0',
    baseUrl: 'https://acme.my.salesforce.com',
    apiVersion: '62.0',
    notifications: Array.from({ length: 100 }, (_, i) => ({
      id: `04l5g00000C${String(i).padStart(4, '0')}AAV`,
      objectType: 'Lead',
      fields: {
        Id: `00Q5g00000b${String(i).padStart(4, '0')}EAS`,
        ...Object.fromEntries(Array.from({ length: 600 }, (_, j) => [`F${j}__c`, 'v'])),
      },
    })),
  });

  it('answers /healthz within 100 ms while eight 1.9 MB bodies are posted at once', async () => {
    expect(heavy.length).toBeGreaterThan(1_800_000);
    const server = await listen(h.app);
    try {
      // Warm up the route and the parser thread so the first health check does not pay for start-up.
      await fetch(`${server.url}/healthz`);
      const small = buildOutboundEnvelope({
        organizationId: HOSTILE_ORG,
        actionId: '04k5g000000CaSNAA0',
        baseUrl: 'https://acme.my.salesforce.com',
        apiVersion: '62.0',
        notifications: [
          { id: '04l5g00000C0000AAV', objectType: 'Lead', fields: { Id: '00Q5g00000b0000EAS' } },
        ],
      });
      const warm = await fetch(`${server.url}/webhooks/salesforce`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: small,
      });
      expect(warm.status).toBe(200);
      // The flood comes from another process, as it would from another machine: only the server's own
      // work shares this event loop with the health checks.
      const dir = await mkdtemp(join(tmpdir(), 'lb-flood-'));
      const file = join(dir, 'body.xml');
      await writeFile(file, heavy);
      const script = `
        const body = require('node:fs').readFileSync(process.argv[1]);
        Promise.all(Array.from({ length: 8 }, () => fetch(process.argv[2], {
          method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body,
        }).then((r) => r.status, () => 0))).then((s) => process.stdout.write(JSON.stringify(s)));`;
      const child = execFile(process.execPath, ['-e', script, file, `${server.url}/webhooks/salesforce`]);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let done = false;
      const settled = new Promise<number[]>((resolve) =>
        child.on('exit', () => {
          done = true;
          resolve(output ? (JSON.parse(output) as number[]) : []);
        }),
      );
      const latencies: number[] = [];
      while (!done) {
        const start = performance.now();
        const response = await fetch(`${server.url}/healthz`);
        expect(response.status).toBe(200);
        latencies.push(performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await rm(dir, { recursive: true, force: true });
      const statuses = await settled;
      // Parsed ones are acknowledged; beyond the parse queue, 503 (Salesforce retries); never a 5xx stack.
      for (const status of statuses) expect([200, 503]).toContain(status);
      expect(statuses).toHaveLength(8);
      expect(statuses).toContain(200);
      expect(latencies.length).toBeGreaterThan(5);
      // Before, the parse ran on the event loop and held /healthz for seconds per body. Now the loop only
      // reads bodies and hands them to the parser thread. The 2-core CI machine is shared, so a scheduler
      // hiccup or a GC pause can delay a single answer (an idle server there showed 66 ms spikes): 95% of
      // the answers must come within 100 ms, and none may take half a second.
      const sorted = [...latencies].sort((a, b) => a - b);
      const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
      expect(p95).toBeLessThan(100);
      expect(Math.max(...latencies)).toBeLessThan(500);
    } finally {
      await server.close();
    }
  }, 60_000);
});
