import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildOutboundEnvelope } from '../../../connectors/salesforce/emulator/outbound-envelope.ts';
import { ingestChangeEvent, type IngestDeps } from '../../../jobs/ingest-processor.ts';
import { createIngestQueue, eventsOfIngestJob, type IngestQueue } from '../../../jobs/ingest-queue.ts';
import { PendingRefs } from '../../../jobs/pending-refs.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { createApp } from '../../../src/server/app.ts';
import { postJson } from '../../helpers/emulators.ts';
import { TENANT, useHarness, type Harness } from './reconcile-harness.ts';

let h: Harness;
let queue: IngestQueue;
let n = 0;

/**
 * An Outbound Message as a forger would write it: the org id is public (every Web-to-Lead form carries
 * it), the fields say whatever the forger likes.
 */
function envelope(
  orgId: string,
  notifications: Array<{ id?: string; objectType?: string; fields: Record<string, string | null> }>,
): string {
  return buildOutboundEnvelope({
    organizationId: orgId,
    actionId: '04k5g000000CaSNAA0',
    baseUrl: 'https://acme.my.salesforce.com',
    apiVersion: '62.0',
    notifications: notifications.map((notification) => ({
      id: notification.id ?? `04l5g00000C${String((n += 1)).padStart(4, '0')}AAV`,
      objectType: notification.objectType ?? 'Lead',
      fields: notification.fields,
    })),
  });
}

describe('Outbound Messages are hints: what a record is comes from the API, never from the message', () => {
  useHarness('om-hints', (started) => {
    h = started;
    queue = createIngestQueue(h.redis, silentLogger(), `${h.prefix}:q`);
  });

  const app = () =>
    createApp({
      config: h.deps.config,
      redis: h.redis,
      ingestQueue: queue,
      metrics: h.metrics,
      logger: silentLogger(),
      redisPrefix: h.prefix,
    });
  const post = (body: string) =>
    request(app()).post('/webhooks/salesforce').set('content-type', 'text/xml; charset=utf-8').send(body);
  const ingestDeps = (): IngestDeps => ({
    engine: h.deps,
    pending: new PendingRefs(h.redis, { prefix: `${h.prefix}:store` }),
    schedule: async () => {},
  });
  async function drain(): Promise<ChangeEvent[]> {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    await queue.drain();
    return jobs.flatMap((job) => eventsOfIngestJob(job.data));
  }
  async function linkedLead(email: string) {
    const { id } = (await postJson(`${h.salesforce.url}/__emulator/leads`, {
      fields: { LastName: 'Reyes', Company: 'Acme', Email: email },
    })) as { id: string };
    const outcome = await h.deps.links.link(
      TENANT,
      { hubspot: String(900 + n), salesforceLead: id, email },
      new Date(),
    );
    if (!outcome.ok) throw new Error(outcome.detail);
    return { id, leadKey: outcome.link.leadKey };
  }
  const outcomeCount = async (outcome: string) =>
    (await h.metrics.webhookEvents.get()).values.find(
      (value) => value.labels.system === 'salesforce' && value.labels.outcome === outcome,
    )?.value ?? 0;

  it('a forged IsDeleted=true about a live Lead leaves its link alone (no duplicate Lead follows)', async () => {
    const lead = await linkedLead('dana@hints.example');
    const forged = envelope(h.salesforce.orgId, [
      {
        fields: {
          Id: lead.id,
          IsDeleted: 'true',
          IsConverted: 'true',
          SystemModstamp: '2026-05-01T10:00:00.000Z',
        },
      },
    ]);
    const response = await post(forged);
    expect(response.status).toBe(200);
    const events = await drain();
    expect(events).toEqual([
      expect.objectContaining({ objectId: lead.id, kind: 'updated', source: 'outbound_message' }),
    ]);
    const outcome = await ingestChangeEvent(ingestDeps(), events[0]);
    expect(outcome).toEqual({ pending: true, leadKey: lead.leadKey });
    const link = await h.deps.links.get(TENANT, lead.leadKey);
    expect(link?.salesforceLead).toBe(lead.id);
    expect(link?.history.some((entry) => entry.change === 'deleted')).toBe(false);
  });

  it('a hint about a Lead that really was deleted retires the slot, as read with queryAll', async () => {
    const lead = await linkedLead('sam@hints.example');
    await postJson(`${h.salesforce.url}/__emulator/leads/${lead.id}/delete`, {});
    expect((await post(envelope(h.salesforce.orgId, [{ fields: { Id: lead.id } }]))).status).toBe(200);
    const [event] = await drain();
    await ingestChangeEvent(ingestDeps(), event);
    const link = await h.deps.links.get(TENANT, lead.leadKey);
    expect(link?.salesforceLead).toBeNull();
    expect(link?.history.at(-1)).toMatchObject({ side: 'salesforceLead', id: lead.id, change: 'deleted' });
    expect(h.recorder.calls.some((call) => call.endpoint.startsWith('GET /queryAll'))).toBe(true);
  });

  it('a hint about a record the org does not have is dropped before anything is pending', async () => {
    const pending = new PendingRefs(h.redis, { prefix: `${h.prefix}:store` });
    const before = await pending.count(TENANT);
    expect(
      (await post(envelope(h.salesforce.orgId, [{ fields: { Id: '00Q5g00000ZZZZZZZZ' } }]))).status,
    ).toBe(200);
    const [event] = await drain();
    expect(await ingestChangeEvent(ingestDeps(), event)).toEqual({ pending: false, leadKey: null });
    expect(await pending.count(TENANT)).toBe(before);
  });

  it('notifications for objects the tenant does not sync are acknowledged, counted and not queued', async () => {
    const before = await outcomeCount('unsynced_object');
    const body = envelope(h.salesforce.orgId, [
      { objectType: 'Account', fields: { Id: '0015g00000AAAAAAAA' } },
      { objectType: 'Opportunity', fields: { Id: '0065g00000AAAAAAAA' } },
    ]);
    expect((await post(body)).status).toBe(200);
    expect(await drain()).toEqual([]);
    expect((await outcomeCount('unsynced_object')) - before).toBe(2);
  });

  it('a forged notification that borrows a real one’s id does not suppress the real delivery', async () => {
    const lead = await linkedLead('lee@hints.example');
    const sharedId = '04l5g00000C9999AAV';
    await post(
      envelope(h.salesforce.orgId, [
        { id: sharedId, fields: { Id: '00Q5g00000YYYYYYYY', SystemModstamp: '2026-05-01T09:00:00.000Z' } },
      ]),
    );
    await post(
      envelope(h.salesforce.orgId, [
        { id: sharedId, fields: { Id: lead.id, SystemModstamp: '2026-05-01T09:00:05.000Z' } },
      ]),
    );
    const events = await drain();
    expect(events.map((event) => event.objectId).sort()).toEqual(['00Q5g00000YYYYYYYY', lead.id].sort());
  });
});
