import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { NotificationEvent } from '../../../src/domain/notification-event.ts';
import { createContact, postJson, qualifiedContact } from '../../helpers/emulators.ts';
import { repEditsLead } from '../engine/reconcile-harness.ts';
import { SECRET, startNotifyHarness, TENANT, waitFor, type NotifyHarness } from './notify-harness.ts';

function events(h: NotifyHarness): NotificationEvent[] {
  return h.receiver
    .received('/webhook')
    .map((d) =>
      NotificationEvent.parse(new Webhook(SECRET).verify(d.body, d.headers as Record<string, string>)),
    );
}

async function handOff(h: NotifyHarness, email: string) {
  const contactId = await createContact(h.hubspot, qualifiedContact(email));
  await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id: contactId }]);
  const link = await h.deps.links.find(TENANT, 'hubspot', contactId);
  return { contactId, leadId: link?.salesforceLead as string, leadKey: link?.leadKey as string };
}

async function leadOwner(h: NotifyHarness, leadId: string): Promise<unknown> {
  const rows = await h.connectors.salesforce.client.query(
    `SELECT Id, OwnerId FROM Lead WHERE Id = '${leadId}'`,
  );
  return rows[0]?.OwnerId;
}

async function contactOwner(h: NotifyHarness, id: string): Promise<unknown> {
  const response = await fetch(`${h.hubspot.url}/__emulator/contacts/${id}`);
  return ((await response.json()) as { properties: Record<string, unknown> }).properties.hubspot_owner_id;
}

async function trail(h: NotifyHarness, leadKey: string) {
  return (await h.deps.audit.read(TENANT, leadKey)).entries;
}

describe('round robin at handoff against the emulators', () => {
  let h: NotifyHarness;
  beforeAll(async () => {
    h = await startNotifyHarness('round-robin', {
      owners: (sf) =>
        `{ strategy: round_robin, awayField: Out_Of_Office__c, hubspotFallbackOwnerId: "104", pool: [{ id: ${sf.owners.ana} }, { id: ${sf.owners.cy} }, { id: ${sf.owners.ben} }] }`,
    });
  });
  afterAll(async () => h.close());

  it('skips the inactive user, writes the HubSpot owner by email, falls back for a deactivated HubSpot owner, skips a rep away', async () => {
    const first = await handOff(h, 'rr1@example.com');
    await waitFor(async () => (await contactOwner(h, first.contactId)) === '101');
    expect(await leadOwner(h, first.leadId)).toBe(h.salesforce.owners.ana);
    const assigned = (await trail(h, first.leadKey)).find(
      (e) => e.type === 'notification' && e.channel === 'owner',
    );
    expect(assigned).toMatchObject({ outcome: 'assigned' });
    expect(JSON.stringify(assigned)).toContain(`${h.salesforce.owners.cy} inactive`);

    // Ben is deactivated in HubSpot only: his Salesforce ownership stands, HubSpot gets the fallback and an error.
    const ben = h.hubspot.owners.find((owner) => owner.email === 'ben@leadbridge.example');
    if (ben) ben.archived = true;
    const second = await handOff(h, 'rr2@example.com');
    await waitFor(async () => (await contactOwner(h, second.contactId)) === '104');
    expect(await leadOwner(h, second.leadId)).toBe(h.salesforce.owners.ben);
    const error = (await trail(h, second.leadKey)).find((e) => e.type === 'record_error');
    expect(error).toMatchObject({ system: 'hubspot', code: 'HUBSPOT_OWNER_INACTIVE', retryable: false });

    // Ana marks herself out of office: the next lead goes to Ben although it is her turn.
    await postJson(`${h.salesforce.url}/__emulator/users/${h.salesforce.owners.ana}`, {
      Out_Of_Office__c: true,
    });
    const third = await handOff(h, 'rr3@example.com');
    await waitFor(async () =>
      (await trail(h, third.leadKey)).some((e) => e.type === 'notification' && e.channel === 'owner'),
    );
    expect(await leadOwner(h, third.leadId)).toBe(h.salesforce.owners.ben);
    // The owner's write echoes back, and reconciling it writes nothing (no write loop).
    const again = await reconcileBatch(h.deps, TENANT, [
      { system: 'hubspot', id: second.contactId },
      { system: 'salesforce', id: second.leadId },
    ]);
    expect(again.written).toEqual({ hubspot: 0, salesforce: 0 });
  });
});

describe('escalation ladder on real delayed jobs', () => {
  let h: NotifyHarness;
  beforeAll(async () => {
    h = await startNotifyHarness('escalation', {
      owners: (sf) =>
        `{ strategy: round_robin, pool: [{ id: ${sf.owners.ana} }, { id: ${sf.owners.ben} }], managerEmail: boss@example.com }`,
      notifications: ', escalation: { remindBefore: 1s, reassignAfter: 1s }',
      sla: '{ followUpWithin: 3s }',
    });
  });
  afterAll(async () => h.close());

  it('reminds before the due time, tells the manager at the breach, reassigns to the next owner after the further delay', async () => {
    const lead = await handOff(h, 'late@example.com');
    await waitFor(() => events(h).some((e) => e.type === 'lead_reassigned'), 10_000);
    const byType = new Map(events(h).map((e) => [e.type, e]));
    const handoff = byType.get('lead_handed_off');
    const due = Date.parse(handoff?.dueAt as string);
    const arrival = (type: string) =>
      h.receiver.received('/webhook').find((d) => d.body.includes(`"type":"${type}"`))?.at ?? NaN;
    const lateness = {
      reminder: arrival('sla_reminder') - (due - 1_000),
      breach: arrival('sla_breached') - due,
      reassign: arrival('lead_reassigned') - (due + 1_000),
    };
    console.info(`escalation lateness (ms after the rung's time): ${JSON.stringify(lateness)}`);
    for (const late of Object.values(lateness)) {
      expect(late).toBeGreaterThanOrEqual(-5);
      expect(late).toBeLessThan(1_500);
    }
    expect(byType.get('sla_breached')?.audience).toEqual(['owner', 'manager']);
    expect(byType.get('sla_breached')?.manager).toBe('boss@example.com');
    const reassigned = byType.get('lead_reassigned');
    expect(reassigned?.previousOwner).toBe(h.salesforce.owners.ana);
    expect(reassigned?.owner?.id).toBe(h.salesforce.owners.ben);
    expect(await leadOwner(h, lead.leadId)).toBe(h.salesforce.owners.ben);
    await waitFor(async () => (await contactOwner(h, lead.contactId)) === '102');
    // Each rung once.
    expect(events(h).filter((e) => e.type === 'sla_reminder')).toHaveLength(1);
    expect(events(h).filter((e) => e.type === 'sla_breached')).toHaveLength(1);
  }, 15_000);

  it('does nothing once the owner followed up', async () => {
    h.receiver.clear();
    const lead = await handOff(h, 'prompt@example.com');
    await waitFor(() => events(h).some((e) => e.type === 'lead_handed_off'));
    await repEditsLead(h.salesforce, lead.leadId, { Status: 'Working - Contacted' });
    await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: lead.leadId }]);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(events(h).map((e) => e.type)).toEqual(['lead_handed_off']);
    const skipped = (await trail(h, lead.leadKey)).filter(
      (e) => e.type === 'notification' && e.outcome === 'skipped',
    );
    expect(skipped.length).toBeGreaterThanOrEqual(1);
  }, 15_000);
});
