import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, stop } from '../helpers/cli.ts';
import {
  createContact,
  qualifiedContact,
  startOperatorFixture,
  type OperatorFixture,
} from '../e2e/operator-fixture.ts';
import { duplicates, launch, report, waitUntil, writeCalls } from './chaos-fixture.ts';

const CONTACTS = 150;
const SYNC = `
sync:
  pollInterval: 1s
  pollOverlap: 5s
  debounce: 300ms
  claimLease: 3s
`;

describe('chaos: a worker SIGKILLed with a batch in flight', () => {
  let fixture: OperatorFixture;
  let configFile: string;

  beforeAll(async () => {
    fixture = await startOperatorFixture('chaos-worker', { seed: 13 });
    configFile = fixture.writeConfig('leadbridge.config.yaml', { extra: SYNC });
    await fixture.installHubSpot(configFile);
    for (let i = 0; i < CONTACTS; i++)
      await createContact(fixture.hubspot, qualifiedContact(`w${i}@chaos.example`));
    const backfill = launch(['backfill', '--config', configFile], fixture.env);
    const code = await backfill.exited;
    if (code !== 0) throw new Error(`backfill failed: ${backfill.output()}`);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('loses no update: the next worker takes the dead one’s claimed records once their lease ends', async () => {
    const { hubspot, salesforce, env } = fixture;
    const contacts = [...hubspot.store.contacts.values()];
    const edit = (id: string) =>
      fetch(`${hubspot.url}/__emulator/contacts/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { jobtitle: 'Intern' } }),
      });
    const first = await startCli(['worker', '--config', configFile], env, /workers running/, 30_000);
    // Kill the worker from inside Salesforce as its first score update arrives: the batch is in flight.
    const store = salesforce.state.store;
    const update = store.update.bind(store);
    let killed = false;
    store.update = (...args) => {
      if (!killed && args[2] && 'LeadBridge_Score__c' in args[2]) {
        killed = true;
        first.child.kill('SIGKILL');
      }
      return update(...args);
    };
    const wave1 = contacts.slice(0, 80);
    for (const contact of wave1) await edit(contact.id);
    await waitUntil(() => killed, 60_000, 'the first score update');
    store.update = update;

    const second = await startCli(['worker', '--config', configFile], env, /workers running/, 30_000);
    try {
      // Live edits while the second worker catches up.
      const wave2 = contacts.slice(80, 120);
      for (const contact of wave2) await edit(contact.id);
      const edited = [...wave1, ...wave2];
      const lost = () =>
        edited.filter((contact) => {
          const lead = salesforce.state.store
            .rows('Lead')
            .find((row) => row.Email === contact.properties.email);
          return contact.properties.leadbridge_score !== '30' || lead?.LeadBridge_Score__c !== 30;
        });
      await waitUntil(() => lost().length === 0, 120_000, 'every edit to reach both systems').catch(() => {});
      report('worker SIGKILL with a batch in flight', {
        edits: edited.length,
        lostUpdates: lost().length,
        duplicates: duplicates(hubspot, salesforce),
        writeCalls: writeCalls(hubspot, salesforce),
      });
      expect(lost().map((contact) => contact.properties.email)).toEqual([]);
      expect(duplicates(hubspot, salesforce)).toBe(0);
    } finally {
      await stop(second.child);
    }
  });
});
