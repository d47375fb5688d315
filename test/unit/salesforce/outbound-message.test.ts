import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildOutboundEnvelope } from '../../../connectors/salesforce/emulator/outbound-envelope.ts';
import {
  decodeXmlText,
  parseOutboundMessage,
  sameOrgId,
} from '../../../connectors/salesforce/outbound-message.ts';
import {
  createIngestQueue,
  eventsOfIngestJob,
  ingestBatchJobId,
  type IngestQueue,
} from '../../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { createApp } from '../../../src/server/app.ts';
import { createRedis } from '../../../src/store/redis.ts';

const ORG_18 = '00D5g000004LBdgEAG';
const ORG_15 = ORG_18.slice(0, 15);
const ACK = readFileSync(new URL('../../fixtures/salesforce/sf-outbound-ack.xml', import.meta.url), 'utf8');

/** Shaped like a real delivery: xsi:nil SessionId, 15-character org in the URLs, enterprise-typed sObjects. */
const REAL_ENVELOPE = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${ORG_15}</OrganizationId>
   <ActionId>04k5g000000CaSNAA0</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/62.0/${ORG_15}</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/62.0/${ORG_15}</PartnerUrl>
   <Notification>
    <Id>04l5g00000C2XqHAAV</Id>
    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00Q5g00000bS2eOEAS</sf:Id>
     <sf:Company>Barnes &amp; Noble</sf:Company>
     <sf:Email>ava.nguyen@northwind.example</sf:Email>
     <sf:Rejection_Reason__c xsi:nil="true"/>
     <sf:Status>Working - Contacted</sf:Status>
     <sf:SystemModstamp>2026-05-01T10:15:30.000Z</sf:SystemModstamp>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5g00000C2XqIAAV</Id>
    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00Q5g00000bS2eXEAS</sf:Id>
     <sf:Rejection_Reason__c>No budget this year</sf:Rejection_Reason__c>
     <sf:Status>Closed - Not Converted</sf:Status>
     <sf:SystemModstamp>2026-05-01T10:15:31.000Z</sf:SystemModstamp>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
${REAL_ENVELOPE.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '').replace('Barnes &amp; Noble', '&lol3;')}`;

const XXE = REAL_ENVELOPE.replace(
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
).replace('Barnes &amp; Noble', '&xxe;');

describe('parseOutboundMessage', () => {
  it('reads a realistic delivery with several notifications', () => {
    const parsed = parseOutboundMessage(REAL_ENVELOPE);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.message.organizationId).toBe(ORG_15);
    expect(parsed.message.notifications).toEqual([
      {
        notificationId: '04l5g00000C2XqHAAV',
        objectType: 'Lead',
        objectId: '00Q5g00000bS2eOEAS',
        fields: {
          Id: '00Q5g00000bS2eOEAS',
          Company: 'Barnes & Noble',
          Email: 'ava.nguyen@northwind.example',
          Rejection_Reason__c: null,
          Status: 'Working - Contacted',
          SystemModstamp: '2026-05-01T10:15:30.000Z',
        },
      },
      expect.objectContaining({ notificationId: '04l5g00000C2XqIAAV', objectId: '00Q5g00000bS2eXEAS' }),
    ]);
  });

  it('refuses DTDs before parsing, so entities are never expanded', () => {
    expect(parseOutboundMessage(BILLION_LAUGHS)).toMatchObject({ ok: false, reason: 'forbidden_markup' });
    expect(parseOutboundMessage(XXE)).toMatchObject({ ok: false, reason: 'forbidden_markup' });
  });

  it('leaves undeclared entity references literal', () => {
    const parsed = parseOutboundMessage(REAL_ENVELOPE.replace('Barnes &amp; Noble', 'A &xxe; B'));
    expect(parsed.ok && parsed.message.notifications[0]?.fields.Company).toBe('A &xxe; B');
    expect(decodeXmlText('&lt;b&gt; &#233; &#x41; &unknown;')).toBe('<b> é A &unknown;');
  });

  it('refuses malformed XML and the wrong shape', () => {
    expect(parseOutboundMessage('<soapenv:Envelope><notifications>')).toMatchObject({
      ok: false,
      reason: 'malformed_xml',
    });
    expect(
      parseOutboundMessage(REAL_ENVELOPE.replace(/<Notification>[\s\S]*<\/Notification>/, '')),
    ).toMatchObject({
      ok: false,
      reason: 'invalid_shape',
    });
    expect(
      parseOutboundMessage(REAL_ENVELOPE.replace(`<OrganizationId>${ORG_15}`, '<OrganizationId>nope')),
    ).toMatchObject({
      ok: false,
      reason: 'invalid_shape',
    });
  });

  it('parses a message without any SessionId, as Salesforce sends them since February 2026', () => {
    const withoutSession = REAL_ENVELOPE.replace('   <SessionId xsi:nil="true"/>\n', '');
    expect(withoutSession).not.toContain('SessionId');
    const parsed = parseOutboundMessage(withoutSession);
    expect(parsed).toMatchObject({ ok: true });
    expect(parsed.ok && parsed.message.notifications.map((n) => n.notificationId)).toEqual([
      '04l5g00000C2XqHAAV',
      '04l5g00000C2XqIAAV',
    ]);
    // The emulator sends none either.
    const emulated = buildOutboundEnvelope({
      organizationId: ORG_18,
      actionId: '04k5g000000CaSNAA0',
      baseUrl: 'https://acme.my.salesforce.com',
      apiVersion: '66.0',
      notifications: [{ id: '04l5g00000C2X001AV', objectType: 'Lead', fields: { Id: '00Q5g00000bS001EAS' } }],
    });
    expect(emulated).not.toContain('SessionId');
    expect(parseOutboundMessage(emulated).ok).toBe(true);
  });

  it('refuses more than 100 notifications', () => {
    const envelope = (n: number) =>
      buildOutboundEnvelope({
        organizationId: ORG_18,
        actionId: '04k5g000000CaSNAA0',
        baseUrl: 'https://acme.my.salesforce.com',
        apiVersion: '62.0',
        notifications: Array.from({ length: n }, (_, i) => ({
          id: `04l5g00000C2X${String(i).padStart(3, '0')}AV`,
          objectType: 'Lead',
          fields: { Id: `00Q5g00000bS${String(i).padStart(3, '0')}EAS` },
        })),
      });
    expect(parseOutboundMessage(envelope(100)).ok).toBe(true);
    expect(parseOutboundMessage(envelope(101))).toMatchObject({ ok: false, reason: 'invalid_shape' });
  });

  it('compares 15- and 18-character org ids on the case-sensitive first 15', () => {
    expect(sameOrgId(ORG_18, ORG_15)).toBe(true);
    expect(sameOrgId(ORG_18, ORG_15.toLowerCase())).toBe(false);
    expect(sameOrgId(ORG_18, '00D5g000004LBdhEAG')).toBe(false);
  });

  it('recognises an 18-character org id whose case a tool has changed (the suffix carries the case)', () => {
    expect(sameOrgId(ORG_18.toLowerCase(), ORG_15)).toBe(true);
    expect(sameOrgId(ORG_18.toUpperCase(), ORG_18)).toBe(true);
    expect(sameOrgId('00d5g000004lbdheag', ORG_15)).toBe(false);
    // A suffix that does not fit the id (it marks a digit as upper case) names no org.
    expect(sameOrgId('00D5g000004LBdgZZZ', ORG_15)).toBe(false);
  });

  it('reads fields whatever the prefixes, with xsi:type attributes, and both spellings of xsi:nil', () => {
    const envelope = `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
 <S:Body>
  <om:notifications xmlns:om="http://soap.sforce.com/2005/09/outbound">
   <om:OrganizationId>${ORG_18}</om:OrganizationId>
   <om:ActionId>04k5g000000CaSNAA0</om:ActionId>
   <om:SessionId i:nil="1"/>
   <om:Notification>
    <om:Id>04l5g00000C2XqHAAV</om:Id>
    <om:sObject i:type="ent:Lead" xmlns:ent="urn:sobject.enterprise.soap.sforce.com">
     <ent:Id>00Q5g00000bS2eOEAS</ent:Id>
     <ent:Company i:type="xsd:string">Barnes &amp; Noble</ent:Company>
     <ent:Email i:nil="1"/>
     <ent:Rejection_Reason__c i:nil="true"/>
     <ent:Title></ent:Title>
     <ent:Phone i:type="xsd:string"/>
    </om:sObject>
   </om:Notification>
  </om:notifications>
 </S:Body>
</S:Envelope>`;
    const parsed = parseOutboundMessage(envelope);
    expect(parsed).toMatchObject({ ok: true });
    expect(parsed.ok && parsed.message.notifications[0]).toEqual({
      notificationId: '04l5g00000C2XqHAAV',
      objectType: 'Lead',
      objectId: '00Q5g00000bS2eOEAS',
      fields: {
        Id: '00Q5g00000bS2eOEAS',
        Company: 'Barnes & Noble',
        Email: null,
        Rejection_Reason__c: null,
        Title: '',
        Phone: '',
      },
    });
  });
});

describe('POST /webhooks/salesforce', () => {
  const prefix = `lb-test-sf-om-${process.pid}-${Date.now()}`;
  const config = LeadBridgeConfig.parse({
    tenants: [
      {
        id: 'acme',
        hubspot: { accessToken: 't' },
        salesforce: { orgId: ORG_18, accessToken: 'x', instanceUrl: 'https://acme.my.salesforce.com' },
      },
    ],
  });
  let redis: Redis;
  let queue: IngestQueue;
  let metrics: Metrics;
  let app: ReturnType<typeof createApp>;

  beforeAll(() => {
    redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger());
    queue = createIngestQueue(redis, silentLogger(), prefix);
  });
  beforeEach(async () => {
    await queue.obliterate({ force: true });
    metrics = new Metrics({ collectDefaults: false });
    app = createApp({ config, redis, ingestQueue: queue, metrics, logger: silentLogger() });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  const post = (body: string) =>
    request(app).post('/webhooks/salesforce').set('content-type', 'text/xml; charset=utf-8').send(body);

  it('enqueues one change event per notification, then answers the exact Ack envelope', async () => {
    const res = await post(REAL_ENVELOPE);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toBe(ACK);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(
      jobs.flatMap((job) => eventsOfIngestJob(job.data)).sort((a, b) => a.objectId.localeCompare(b.objectId)),
    ).toEqual([
      {
        tenant: 'acme',
        system: 'salesforce',
        objectId: '00Q5g00000bS2eOEAS',
        occurredAt: '2026-05-01T10:15:30.000Z',
        kind: 'updated',
        source: 'outbound_message',
        dedupKey: `om:${ORG_15}:04l5g00000C2XqHAAV:00Q5g00000bS2eOEAS:2026-05-01T10:15:30.000Z`,
      },
      expect.objectContaining({
        objectId: '00Q5g00000bS2eXEAS',
        kind: 'updated',
        dedupKey: `om:${ORG_15}:04l5g00000C2XqIAAV:00Q5g00000bS2eXEAS:2026-05-01T10:15:31.000Z`,
      }),
    ]);
    // One job for the message's notifications, named by their ids.
    expect(jobs.map((job) => job.id)).toEqual([
      ingestBatchJobId(
        [
          `om:${ORG_15}:04l5g00000C2XqHAAV:00Q5g00000bS2eOEAS:2026-05-01T10:15:30.000Z`,
          `om:${ORG_15}:04l5g00000C2XqIAAV:00Q5g00000bS2eXEAS:2026-05-01T10:15:31.000Z`,
        ].map((dedupKey) => ({ tenant: 'acme', system: 'salesforce' as const, dedupKey })),
      ),
    ]);
  });

  it('a redelivered notification adds nothing (idempotent by notification Id)', async () => {
    expect((await post(REAL_ENVELOPE)).status).toBe(200);
    const second = await post(REAL_ENVELOPE);
    expect(second.status).toBe(200);
    expect(second.text).toBe(ACK);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.flatMap((job) => eventsOfIngestJob(job.data))).toHaveLength(2);
  });

  it('refuses another org with a SOAP fault and enqueues nothing', async () => {
    const res = await post(REAL_ENVELOPE.replaceAll(ORG_15, '00D5g000004XXXX'));
    expect(res.status).toBe(403);
    expect(res.text).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(res.text).not.toContain('<Ack>');
    expect(await queue.count()).toBe(0);
  });

  it('answers 400 to malformed XML and to an entity-expansion attack, enqueuing nothing', async () => {
    // Each names the tenant's org, so it gets past the cheap org check to the parser.
    const org = `<OrganizationId>${ORG_15}</OrganizationId>`;
    const withOrg = (body: string) => body.replace(/<lolz>|<foo>|<oops>/, (tag) => `${tag}${org}`);
    for (const body of ['<soapenv:Envelope><oops>', BILLION_LAUGHS, XXE].map(withOrg)) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.text).toContain('soapenv:Fault');
    }
    expect(await queue.count()).toBe(0);
    const metricsText = await metrics.registry.metrics();
    expect(metricsText).toMatch(
      /leadbridge_webhook_events_total\{system="salesforce",outcome="forbidden_markup"\} 2/,
    );
  });

  it('answers a fault (so Salesforce retries) when the queue cannot take the events', async () => {
    const broken = { addBulk: () => Promise.reject(new Error('redis down')) } as unknown as IngestQueue;
    const res = await request(
      createApp({ config, redis, ingestQueue: broken, metrics, logger: silentLogger() }),
    )
      .post('/webhooks/salesforce')
      .set('content-type', 'text/xml')
      .send(REAL_ENVELOPE);
    expect(res.status).toBe(503);
    expect(res.text).toContain('soapenv:Server');
  });
});
