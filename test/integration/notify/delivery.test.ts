import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { NotificationEvent } from '../../../src/domain/notification-event.ts';
import { createContact, qualifiedContact } from '../../helpers/emulators.ts';
import { repEditsLead } from '../engine/reconcile-harness.ts';
import { SECRET, startNotifyHarness, TENANT, waitFor, type NotifyHarness } from './notify-harness.ts';

let h: NotifyHarness;
let n = 0;

function events(path = '/webhook'): NotificationEvent[] {
  return h.receiver
    .received(path)
    .map((delivery) =>
      NotificationEvent.parse(
        new Webhook(SECRET).verify(delivery.body, delivery.headers as Record<string, string>),
      ),
    );
}

async function handOff(): Promise<{ contactId: string; leadId: string; leadKey: string; syncMs: number }> {
  n += 1;
  const contactId = await createContact(h.hubspot, qualifiedContact(`lead${n}@example.com`));
  const started = Date.now();
  await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id: contactId }]);
  const syncMs = Date.now() - started;
  const link = await h.deps.links.find(TENANT, 'hubspot', contactId);
  return { contactId, leadId: link?.salesforceLead as string, leadKey: link?.leadKey as string, syncMs };
}

async function notes(leadKey: string) {
  const trail = await h.deps.audit.read(TENANT, leadKey);
  return trail.entries.flatMap((entry) => (entry.type === 'notification' ? [entry] : []));
}

describe('deliveries under failure, rejections', () => {
  beforeAll(async () => {
    h = await startNotifyHarness('delivery', { sla: '{ followUpWithin: 1h, rejectionFeedbackWithin: 2s }' });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.receiver.clear());

  it('retries a failing receiver with backoff until it answers, and records each attempt', async () => {
    h.receiver.setMode('/webhook', { kind: 'fail', status: 503, times: 2 });
    const { leadKey } = await handOff();
    await waitFor(() => h.receiver.received('/webhook').length === 1);
    const attempts = h.receiver.deliveries.filter((d) => d.path === '/webhook');
    expect(attempts.map((d) => d.status)).toEqual([503, 503, 200]);
    // Same webhook-id on every attempt, so a receiver can deduplicate.
    expect(new Set(attempts.map((d) => d.headers['webhook-id'])).size).toBe(1);
    // The outcome is recorded just after the receiver answered.
    await waitFor(async () =>
      (await notes(leadKey)).some((note) => note.channel === 'webhook' && note.outcome === 'sent'),
    );
    const webhook = (await notes(leadKey)).filter((note) => note.channel === 'webhook');
    expect(webhook.map((note) => `${note.outcome}#${note.attempt}`)).toEqual([
      'retrying#1',
      'retrying#2',
      'sent#3',
    ]);
    console.info(
      `failing endpoint: ${attempts.length} requests for 1 delivery, ${attempts.at(-1)!.at - attempts[0]!.at} ms from first to last`,
    );
  });

  it('a dead endpoint does not delay the sync, is given up after the configured attempts, and other channels still deliver', async () => {
    const baseline = await handOff();
    await waitFor(() => h.receiver.received('/slack').length === 1);
    h.receiver.clear();
    h.receiver.setMode('/slack', { kind: 'hang' });
    const dead = await handOff();
    // The timeout is 1s and there are 4 attempts: a sync waiting on Slack would take at least 4s.
    expect(dead.syncMs).toBeLessThan(Math.max(1_000, baseline.syncMs * 3));
    await waitFor(() => h.receiver.received('/webhook').length === 1);
    await waitFor(
      async () =>
        (await notes(dead.leadKey)).some((note) => note.channel === 'slack' && note.outcome === 'failed'),
      15_000,
    );
    const slack = (await notes(dead.leadKey)).filter((note) => note.channel === 'slack');
    expect(slack.map((note) => note.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'failed']);
    expect(slack.at(-1)?.detail).toContain('gave up after 4 attempts');
    console.info(
      `dead endpoint: sync ${dead.syncMs} ms (baseline ${baseline.syncMs} ms); slack given up after 4 attempts`,
    );
  }, 20_000);

  it('a rejection with a reason goes to marketing with the reason', async () => {
    const { leadId, contactId } = await handOff();
    await waitFor(() => h.receiver.received('/webhook').length === 1);
    await repEditsLead(h.salesforce, leadId, {
      Status: 'Closed - Not Converted',
      Rejection_Reason__c: 'No budget this year',
    });
    await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    await waitFor(() => events().some((event) => event.type === 'lead_rejected'));
    const rejected = events().find((event) => event.type === 'lead_rejected');
    expect(rejected).toMatchObject({
      reason: 'No budget this year',
      audience: ['marketing'],
      records: { hubspot: contactId, salesforce: leadId },
    });
    await waitFor(() => h.receiver.received('/slack').some((d) => d.body.includes('No budget this year')));
  });

  it('a rejection without a reason asks the rep for one once the feedback window has passed', async () => {
    const { leadId, leadKey } = await handOff();
    await waitFor(() => h.receiver.received('/webhook').length === 1);
    await repEditsLead(h.salesforce, leadId, { Status: 'Closed - Not Converted' });
    const rejectedAt = Date.now();
    await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: leadId }]);
    expect(events().some((event) => event.type === 'lead_rejected')).toBe(false);
    await waitFor(() => events().some((event) => event.type === 'rejection_reason_missing'), 8_000);
    const asked = events().find((event) => event.type === 'rejection_reason_missing');
    expect(asked?.audience).toEqual(['owner']);
    expect(Date.now() - rejectedAt).toBeGreaterThanOrEqual(1_000);
    await waitFor(async () =>
      (await notes(leadKey)).some(
        (note) => note.channel === 'salesforce_task' && note.event === 'rejection_reason_missing',
      ),
    );
  }, 15_000);

  it('under an endpoint failing the first try of every notification, each of 10 handoffs is delivered exactly once', async () => {
    h.receiver.setMode('/webhook', { kind: 'fail-first', status: 500, seen: new Set() });
    const started: Array<{ leadKey: string; at: number }> = [];
    for (let i = 0; i < 10; i++) {
      const lead = await handOff();
      started.push({ leadKey: lead.leadKey, at: Date.now() });
    }
    await waitFor(() => h.receiver.received('/webhook').length >= 10, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ok = h.receiver.received('/webhook');
    expect(ok).toHaveLength(10);
    expect(new Set(ok.map((d) => d.headers['webhook-id'])).size).toBe(10);
    const requests = h.receiver.deliveries.filter((d) => d.path === '/webhook').length;
    const latencies = ok
      .map((d) => {
        const event = NotificationEvent.parse(JSON.parse(d.body));
        return d.at - (started.find((s) => s.leadKey === event.leadKey)?.at ?? d.at);
      })
      .sort((a, b) => a - b);
    console.info(
      `endpoint failing each first try (500): 10 notifications, ${requests} requests; latency after the pass p50 ${latencies[4]} ms, max ${latencies[9]} ms`,
    );
  }, 20_000);
});
