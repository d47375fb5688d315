import { readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAuditEntry } from '../../src/store/audit-codec.ts';
import { tenantKey } from '../../src/store/keys.ts';
import { decodeLink } from '../../src/store/link-codec.ts';
import {
  createContact,
  qualifiedContact,
  startOperatorFixture,
  type OperatorFixture,
} from '../e2e/operator-fixture.ts';
import { runCli, startCli, stop } from '../helpers/cli.ts';
import { postJson } from '../helpers/emulators.ts';
import { launch, report, waitUntil } from './chaos-fixture.ts';
import { contactEvent, postSignedWebhook, withClientSecret } from './replay.ts';

/**
 * Each identity case of issue 8 end to end: the built product (`backfill`, then `start` with its
 * pollers every second and its webhook routes) against both emulators, people editing both systems,
 * HubSpot's notifications sent signed as HubSpot sends them, everything counted at the emulators.
 */
describe('chaos: identity cases end to end (duplicates, merges, deletions, GDPR)', () => {
  let fixture: OperatorFixture;
  let configFile: string;
  let redis: Redis;
  let eventId = 7_000;

  const store = () => `${fixture.env.LEADBRIDGE_REDIS_PREFIX}:store`;
  const linkOf = async (index: 'by-hubspot' | 'by-salesforce' | 'by-email', id: string) => {
    const leadKey = await redis.hget(tenantKey(store(), 'acme', index), id);
    if (!leadKey) return null;
    const raw = await redis.hget(tenantKey(store(), 'acme', 'links'), leadKey);
    const decoded = raw ? decodeLink(raw, leadKey) : null;
    return decoded && 'link' in decoded ? decoded.link : null;
  };
  const liveContacts = (email: string) =>
    [...fixture.hubspot.store.contacts.values()].filter(
      (contact) => !contact.archived && contact.properties.email === email,
    );
  const liveLeads = (email: string) =>
    fixture.salesforce.state.store.rows('Lead').filter((row) => !row.IsDeleted && row.Email === email);
  const repEdits = (leadId: string, body: Record<string, unknown>) =>
    postJson(`${fixture.salesforce.url}/__emulator/leads/${leadId}/edit`, body);
  const repCreatesLead = async (fields: Record<string, unknown>) =>
    (
      (await postJson(`${fixture.salesforce.url}/__emulator/leads`, {
        fields: { Company: 'Initech', Status: 'Open - Not Contacted', ...fields },
      })) as { id: string }
    ).id;
  /** The lead's audit trail has a decision to `stage` in or after the second of `since` (entries have whole seconds). */
  const decidedSince = async (leadKey: string, stage: string, since: string) =>
    (await redis.lrange(tenantKey(store(), 'acme', 'audit', leadKey), 0, -1)).some((raw) => {
      const decoded = decodeAuditEntry(raw);
      if (!('entry' in decoded)) return false;
      const { entry } = decoded;
      return entry.type === 'decision' && entry.to === stage && entry.at >= `${since.slice(0, 19)}.000Z`;
    });
  const writeConfig = (policy: 'unlink' | 'propagate') => {
    const yaml = withClientSecret(readFileSync(configFile, 'utf8'))
      .replace(/\n {4}onDelete: \w+\n/, '\n')
      .replace('  - id: acme\n', `  - id: acme\n    onDelete: ${policy}\n`);
    writeFileSync(
      configFile,
      yaml.includes('\nsync:')
        ? yaml
        : `${yaml}\nsync: { pollInterval: 1s, pollOverlap: 5s, debounce: 1s }\n`,
    );
  };
  const started = () =>
    startCli(
      ['start', '--config', configFile, '--port', '0'],
      fixture.env,
      /listening on (http:\/\/\S+), workers running/,
    );

  const people = {
    hubspotDeleted: 'hs-deleted@identity.example',
    salesforceDeleted: 'sf-deleted@identity.example',
    gdpr: 'gdpr@identity.example',
    mergeWinner: 'merge-winner@identity.example',
    mergeLoser: 'merge-loser@identity.example',
    sfMaster: 'sf-master@identity.example',
    sfMerged: 'sf-merged@identity.example',
    propagateHs: 'propagate-hs@identity.example',
    propagateSf: 'propagate-sf@identity.example',
    duplicate: 'twice@identity.example',
  };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    fixture = await startOperatorFixture('chaos-identity', { seed: 23 });
    configFile = fixture.writeConfig('leadbridge.config.yaml');
    writeConfig('unlink');
    await fixture.installHubSpot(configFile);
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    for (const [name, email] of Object.entries(people)) {
      if (name === 'duplicate') continue;
      ids[name] = await createContact(fixture.hubspot, qualifiedContact(email));
    }
    // Two Leads for one person; the second is the most recently modified, so it is the one linked.
    ids.duplicateFirst = await repCreatesLead({ LastName: 'First', Email: people.duplicate });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    ids.duplicateSecond = await repCreatesLead({ LastName: 'Second', Email: people.duplicate });
    const backfill = launch(['backfill', '--json', '--config', configFile], fixture.env);
    expect(await backfill.exited, backfill.output()).toBe(0);
  });
  afterAll(async () => {
    await redis?.quit();
    await fixture?.close();
  });

  it('duplicate emails: one link, one HubSpot contact, the other Lead listed by status and never written to', async () => {
    expect(liveContacts(people.duplicate)).toHaveLength(1);
    const link = await linkOf('by-email', people.duplicate);
    expect(link?.salesforceLead).toBe(ids.duplicateSecond);
    const first = fixture.salesforce.state.store.get('Lead', ids.duplicateFirst!);
    expect(first?.LastModifiedById).not.toBe(fixture.salesforce.state.store.integrationUserId);
    const status = await runCli(['status', '--json', '--config', configFile], fixture.env, 30_000);
    const parsed = JSON.parse(status.stdout) as {
      tenants: Array<{ duplicates: { count: number; records: Array<{ id: string }> } }>;
    };
    expect(parsed.tenants[0]?.duplicates.records.map((record) => record.id)).toEqual([ids.duplicateFirst]);
    report('identity: duplicate emails', {
      hubspotContacts: liveContacts(people.duplicate).length,
      duplicatesListed: parsed.tenants[0]!.duplicates.count,
    });
  });

  it('merges on both sides, deletions on both sides (unlink) and a GDPR deletion: nothing comes back', async () => {
    for (const name of Object.keys(people)) {
      if (name === 'duplicate') continue;
      ids[`${name}Lead`] = String((await linkOf('by-hubspot', ids[name]!))?.salesforceLead);
    }
    const running = await started();
    const url = `${running.match[1]}/webhooks/hubspot`;
    try {
      // HubSpot: a deletion and a GDPR deletion, with their webhooks; a merge whose webhook is lost.
      await fetch(`${fixture.hubspot.url}/__emulator/contacts/${ids.hubspotDeleted}`, { method: 'DELETE' });
      await postSignedWebhook(url, contactEvent('contact.deletion', ids.hubspotDeleted!, eventId++));
      await postJson(`${fixture.hubspot.url}/__emulator/contacts/${ids.gdpr}/gdpr-delete`);
      await postSignedWebhook(url, contactEvent('contact.privacyDeletion', ids.gdpr!, eventId++));
      await postJson(`${fixture.hubspot.url}/__emulator/contacts/merge`, {
        primaryId: ids.mergeWinner,
        mergedId: ids.mergeLoser,
      });
      // Salesforce: a deletion and a merge, seen by the poller.
      await postJson(`${fixture.salesforce.url}/__emulator/leads/${ids.salesforceDeletedLead}/delete`);
      await postJson(`${fixture.salesforce.url}/__emulator/leads/merge`, {
        masterId: ids.sfMasterLead,
        mergedIds: [ids.sfMergedLead],
      });
      await waitUntil(
        async () =>
          (await linkOf('by-hubspot', ids.mergeLoser!))?.leadKey ===
            (await linkOf('by-hubspot', ids.mergeWinner!))?.leadKey &&
          (await linkOf('by-salesforce', ids.sfMergedLead!))?.leadKey ===
            (await linkOf('by-salesforce', ids.sfMasterLead!))?.leadKey &&
          (await linkOf('by-salesforce', ids.salesforceDeletedLead!))?.salesforceLead === null &&
          (await linkOf('by-hubspot', ids.hubspotDeleted!))?.hubspot === null,
        30_000,
        'the merges and deletions to reach the link table',
      );

      // People keep working the other sides.
      const edited = new Date().toISOString();
      await repEdits(ids.hubspotDeletedLead!, { Status: 'Working - Contacted' });
      await repEdits(ids.gdprLead!, { Status: 'Working - Contacted' });
      await repEdits(ids.mergeLoserLead!, { Status: 'Working - Contacted' });
      await fetch(`${fixture.hubspot.url}/__emulator/contacts/${ids.salesforceDeleted}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { jobtitle: 'Head of Ops' } }),
      });
      await fetch(`${fixture.hubspot.url}/__emulator/contacts/${ids.sfMerged}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { jobtitle: 'Head of Sales' } }),
      });
      const hsLead = (await linkOf('by-salesforce', ids.hubspotDeletedLead!))!.leadKey;
      // The workers took in the rep's edit (the lead moved on to sql), and two more poll cycles passed.
      await waitUntil(() => decidedSince(hsLead, 'sql', edited), 30_000, 'the workers to take in the edits');
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const recreated = {
        hubspotDeleted: liveContacts(people.hubspotDeleted).length,
        gdpr: liveContacts(people.gdpr).length,
        mergeLoser: liveContacts(people.mergeLoser).length,
        salesforceDeleted: liveLeads(people.salesforceDeleted).length,
        sfMerged: liveLeads(people.sfMerged).length,
      };
      report('identity: merges, deletions (unlink), GDPR (records re-created)', recreated);
      expect(recreated).toEqual({
        hubspotDeleted: 0,
        gdpr: 0,
        mergeLoser: 0,
        salesforceDeleted: 0,
        sfMerged: 0,
      });
      // unlink keeps the other side's records.
      expect(liveLeads(people.hubspotDeleted)).toHaveLength(1);
      expect(liveContacts(people.salesforceDeleted)).toHaveLength(1);
    } finally {
      expect(await stop(running.child)).toBe(0);
    }
    const explain = await runCli(['explain', people.gdpr, '--config', configFile], fixture.env, 30_000);
    expect(explain.stdout).toContain('privacy-deleted (GDPR)');
    expect(explain.stdout).not.toContain(people.gdpr);
  });

  it('deletions on both sides with onDelete: propagate delete the other side too', async () => {
    writeConfig('propagate');
    const running = await started();
    const url = `${running.match[1]}/webhooks/hubspot`;
    try {
      await fetch(`${fixture.hubspot.url}/__emulator/contacts/${ids.propagateHs}`, { method: 'DELETE' });
      await postSignedWebhook(url, contactEvent('contact.deletion', ids.propagateHs!, eventId++));
      await postJson(`${fixture.salesforce.url}/__emulator/leads/${ids.propagateSfLead}/delete`);
      await waitUntil(
        () =>
          fixture.salesforce.state.store.get('Lead', ids.propagateHsLead!)?.IsDeleted === true &&
          fixture.hubspot.store.contacts.get(ids.propagateSf!)?.archived === true,
        30_000,
        'the deletions to reach the other side',
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      report('identity: deletions (propagate)', {
        hubspotLeft: liveContacts(people.propagateSf).length,
        salesforceLeft: liveLeads(people.propagateHs).length,
      });
      expect(liveContacts(people.propagateSf)).toEqual([]);
      expect(liveLeads(people.propagateHs)).toEqual([]);
      expect(liveContacts(people.propagateHs)).toEqual([]);
      expect(liveLeads(people.propagateSf)).toEqual([]);
    } finally {
      expect(await stop(running.child)).toBe(0);
    }
  });
});
