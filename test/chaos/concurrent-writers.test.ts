import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, stop } from '../helpers/cli.ts';
import { postJson } from '../helpers/emulators.ts';
import {
  createContact,
  qualifiedContact,
  startOperatorFixture,
  type OperatorFixture,
} from '../e2e/operator-fixture.ts';
import { duplicates, launch, leadsByEmail, report, waitUntil } from './chaos-fixture.ts';

const SYNC = `
sync:
  pollInterval: 1s
  pollOverlap: 5s
  debounce: 300ms
  claimLease: 5s
`;

describe('chaos: two workers, a backfill and live edits at once', () => {
  let fixture: OperatorFixture;
  let configFile: string;

  beforeAll(async () => {
    fixture = await startOperatorFixture('chaos-concurrent', { seed: 23 });
    configFile = fixture.writeConfig('leadbridge.config.yaml', { extra: SYNC });
    await fixture.installHubSpot(configFile);
    for (let i = 0; i < 120; i++)
      await createContact(fixture.hubspot, qualifiedContact(`c${i}@chaos.example`));
    for (let i = 0; i < 60; i++)
      await createContact(fixture.hubspot, {
        email: `d${i}@chaos.example`,
        firstname: 'D',
        lifecyclestage: 'lead',
      });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('creates every Salesforce Lead once', async () => {
    const { hubspot, salesforce, env } = fixture;
    const workers = [
      await startCli(['worker', '--config', configFile], env, /workers running/, 30_000),
      await startCli(['worker', '--config', configFile], env, /workers running/, 30_000),
    ];
    try {
      const backfill = launch(['backfill', '--config', configFile], env);
      // People keep working meanwhile: new qualifying contacts, and reps entering Leads for known people.
      for (let i = 120; i < 170; i++) await createContact(hubspot, qualifiedContact(`c${i}@chaos.example`));
      for (let i = 0; i < 20; i++) {
        await postJson(`${salesforce.url}/__emulator/leads`, {
          fields: {
            LastName: 'Rep',
            Company: 'Initech',
            Email: `d${i}@chaos.example`,
            Status: 'Open - Not Contacted',
          },
        });
      }
      expect(await backfill.exited, backfill.output()).toBe(0);
      const expected = Array.from({ length: 170 }, (_, i) => `c${i}@chaos.example`);
      await waitUntil(
        () => expected.every((email) => (leadsByEmail(salesforce).get(email) ?? 0) >= 1),
        90_000,
        'every qualifying contact to reach Salesforce',
      ).catch(() => {});
      // Identity: a rep enters a second Lead for a person already linked. It becomes a duplicate: the
      // person's contact keeps its name and nothing is ever written to the second Lead.
      const second = (await postJson(`${salesforce.url}/__emulator/leads`, {
        fields: {
          LastName: 'Twin',
          Company: 'Initech',
          Email: 'C0@chaos.example',
          Status: 'Open - Not Contacted',
        },
      })) as { id: string };
      const c0 = [...hubspot.store.contacts.values()].find((c) => c.properties.email === 'c0@chaos.example');
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const twin = salesforce.state.store.get('Lead', second.id);
      expect(twin?.LastModifiedById).not.toBe(salesforce.integrationUserId);
      expect(c0?.properties.lastname).toBe('Lovelace');

      const leads = leadsByEmail(salesforce);
      leads.set('c0@chaos.example', (leads.get('c0@chaos.example') ?? 1) - 1);
      const missing = expected.filter((email) => (leads.get(email) ?? 0) === 0);
      report('2 workers + backfill + live edits', {
        // The rep's own second Lead for c0 is not a duplicate LeadBridge made.
        duplicates: duplicates(hubspot, salesforce) - 1,
        missingLeads: missing.length,
        // Leads the workers were changing while the backfill passed over them, left to the workers.
        handedToWorkers: Number(/handed to the workers: (\d+)/.exec(backfill.output())?.[1] ?? 0),
      });
      expect(missing).toEqual([]);
      expect(duplicates(hubspot, salesforce)).toBe(1);
    } finally {
      for (const worker of workers) await stop(worker.child);
    }
  });
});
