import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { NotificationEvent } from '../../../src/domain/notification-event.ts';
import { createContact, postJson, qualifiedContact } from '../../helpers/emulators.ts';
import { SECRET, startNotifyHarness, TENANT, waitFor, type NotifyHarness } from './notify-harness.ts';

let h: NotifyHarness;

async function soql<T = Record<string, unknown>>(query: string): Promise<T[]> {
  return (await h.connectors.salesforce.client.query(query)) as T[];
}

async function contactOwner(id: string): Promise<string | null | undefined> {
  const response = await fetch(`${h.hubspot.url}/__emulator/contacts/${id}`);
  return ((await response.json()) as { properties: Record<string, string | null> }).properties
    .hubspot_owner_id;
}

describe('handoff: owner by assignment rule, every channel, once', () => {
  beforeAll(async () => {
    h = await startNotifyHarness('handoff');
    // The org's rule: leads from Analytical Engines go to Ana, the rest to the default rep.
    await postJson(`${h.salesforce.url}/__emulator/assignment-rule`, {
      entries: [{ field: 'Company', equals: 'Analytical Engines', ownerId: h.salesforce.owners.ana }],
      defaultOwnerId: h.salesforce.repUserId,
    });
  });
  afterAll(async () => h.close());

  it('creates the Lead with Sforce-Auto-Assign, reads the owner back, writes it to HubSpot, and notifies on all channels', async () => {
    const contactId = await createContact(h.hubspot, qualifiedContact('ada@example.com'));
    const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id: contactId }]);
    const synced = Date.now();
    expect(result.created.salesforce).toBe(1);
    await waitFor(
      () => h.receiver.received('/webhook').length === 1 && h.receiver.received('/slack').length === 1,
    );
    const latencyMs = h.receiver.received('/webhook')[0]!.at - synced;

    const link = await h.deps.links.find(TENANT, 'hubspot', contactId);
    const leadId = link?.salesforceLead as string;
    const [lead] = await soql<{ OwnerId: string }>(`SELECT Id, OwnerId FROM Lead WHERE Id = '${leadId}'`);
    expect(lead?.OwnerId).toBe(h.salesforce.owners.ana);
    await waitFor(async () => (await contactOwner(contactId)) === '101');

    // The webhook verifies with the Standard Webhooks library, over the raw body.
    const [delivery] = h.receiver.received('/webhook');
    const verified = new Webhook(SECRET).verify(delivery!.body, delivery!.headers as Record<string, string>);
    const event = NotificationEvent.parse(verified);
    expect(event).toMatchObject({
      type: 'lead_handed_off',
      tenant: TENANT,
      owner: { id: h.salesforce.owners.ana, name: 'Ana Alvarez', email: 'ana@leadbridge.example' },
      lead: { email: 'ada@example.com', name: 'Ada Lovelace', company: 'Analytical Engines', score: 60 },
      records: { hubspot: contactId, salesforce: leadId },
    });
    expect(event.dueAt).not.toBeNull();
    expect(() =>
      new Webhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').verify(
        delivery!.body,
        delivery!.headers as Record<string, string>,
      ),
    ).toThrow();

    // Slack: lead, owner and links to both records.
    const slack = JSON.parse(h.receiver.received('/slack')[0]!.body) as { text: string; blocks: unknown[] };
    expect(slack.text).toContain('Ada Lovelace (Analytical Engines) was handed to Ana Alvarez');
    expect(JSON.stringify(slack.blocks)).toContain(`/lightning/r/Lead/${leadId}/view|Salesforce`);
    expect(JSON.stringify(slack.blocks)).toContain(`/record/0-1/${contactId}|HubSpot`);

    // A Task on the Lead, assigned to the owner, due at the SLA time.
    await waitFor(async () => (await soql(`SELECT Id FROM Task WHERE WhoId = '${leadId}'`)).length === 1);
    const [task] = await soql<Record<string, unknown>>(
      `SELECT Id, OwnerId, Subject, ActivityDate, ReminderDateTime, IsReminderSet FROM Task WHERE WhoId = '${leadId}'`,
    );
    expect(task).toMatchObject({ OwnerId: h.salesforce.owners.ana, IsReminderSet: true });
    expect(String(task?.ActivityDate)).toBe(event.dueAt?.slice(0, 10));
    expect(Date.parse(String(task?.ReminderDateTime))).toBe(Date.parse(event.dueAt as string));

    // Visible in explain.
    // Outcomes are recorded just after each send.
    await waitFor(async () => {
      const entries = (await h.deps.audit.read(TENANT, link!.leadKey)).entries;
      return entries.filter((entry) => entry.type === 'notification').length === 4;
    });
    const trail = await h.deps.audit.read(TENANT, link!.leadKey);
    const notes = trail.entries.filter((entry) => entry.type === 'notification');
    expect(notes.map((n) => `${n.channel}:${n.outcome}`).sort()).toEqual([
      'owner:assigned',
      'salesforce_task:sent',
      'slack:sent',
      'webhook:sent',
    ]);
    const metrics = await h.metrics.registry.getMetricsAsJSON();
    const sent = metrics
      .find((m) => m.name === 'leadbridge_notifications_total')
      ?.values.filter((v) => v.labels.outcome === 'sent')
      .reduce((sum, v) => sum + v.value, 0);
    expect(sent).toBe(3);
    const delay = metrics.find((m) => m.name === 'leadbridge_notification_delay_seconds');
    const counts = delay?.values.filter(
      (v) => (v as { metricName?: string }).metricName === 'leadbridge_notification_delay_seconds_count',
    );
    expect(counts?.reduce((sum, v) => sum + v.value, 0)).toBe(3);
    console.info(`notification latency after the handoff pass: ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(2_000);
  });

  it('a replayed transition notifies nobody twice, and a duplicated delivery job sends nothing', async () => {
    const replay = h.lastPlans;
    expect(replay).not.toBeNull();
    // Completed jobs forgotten (as after their retention), so only the outbox stands between a replay and a resend.
    await h.queue.clean(0, 1000, 'completed');
    await h.deps.notify?.(replay!.tenant, replay!.plans, replay!.now);
    // A delivery job run again under another id (a crash after sending, before the job completed).
    const [delivery] = h.receiver.received('/webhook');
    const event = NotificationEvent.parse(JSON.parse(delivery!.body));
    await h.queue.add(
      'again',
      { kind: 'deliver', event, channel: 'webhook' },
      { jobId: 'replayed-delivery' },
    );
    await waitFor(async () => (await h.queue.getJob('replayed-delivery'))?.finishedOn !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.receiver.received('/webhook')).toHaveLength(1);
    expect(h.receiver.received('/slack')).toHaveLength(1);
    const leadId = event.records.salesforce as string;
    expect(await soql(`SELECT Id FROM Task WHERE WhoId = '${leadId}'`)).toHaveLength(1);
  });
});
