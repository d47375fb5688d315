import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContact,
  qualifiedContact,
  startOperatorFixture,
  type OperatorFixture,
} from '../e2e/operator-fixture.ts';
import {
  apiCalls,
  duplicates,
  kill,
  killAtInsert,
  launch,
  leadsByEmail,
  report,
  writeCalls,
} from './chaos-fixture.ts';

/**
 * Contacts that qualify and pass the gate: each must end as exactly one Salesforce Lead. The backfill
 * reconciles them in one batch, so its creates go out in 200-record upsert chunks: the first run's kill
 * leaves one chunk carried out, and the second run still has a full chunk to be killed in the middle of.
 */
const QUALIFIED = 460;
const PLAIN = 60;

describe('chaos: backfill killed at several points, then run to the end', () => {
  let fixture: OperatorFixture;
  let configFile: string;

  beforeAll(async () => {
    fixture = await startOperatorFixture('chaos-backfill', { seed: 9 });
    configFile = fixture.writeConfig('leadbridge.config.yaml');
    await fixture.installHubSpot(configFile);
    for (let i = 0; i < QUALIFIED; i++)
      await createContact(fixture.hubspot, qualifiedContact(`q${i}@chaos.example`));
    for (let i = 0; i < PLAIN; i++)
      await createContact(fixture.hubspot, {
        email: `p${i}@chaos.example`,
        firstname: 'P',
        lifecyclestage: 'lead',
      });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('leaves 0 duplicates and 0 missing records, counted at the emulators', async () => {
    const { hubspot, salesforce, env } = fixture;
    const args = ['backfill', '--config', configFile];
    const kills: string[] = [];

    // 1. Right after the first create is sent, before its outcome is stored.
    let run = launch(args, env);
    let restore = killAtInsert(salesforce, run, 1);
    await run.exited;
    restore();
    expect(run.child.signalCode).toBe('SIGKILL');
    kills.push('first insert');

    // 2. In the middle of a 200-record upsert chunk: part of it carried out, the outcome never seen.
    run = launch(args, env);
    restore = killAtInsert(salesforce, run, 120);
    await run.exited;
    restore();
    expect(run.child.signalCode).toBe('SIGKILL');
    kills.push('insert 120');

    // 3. At an arbitrary moment of a run that resumes from the checkpoints.
    run = launch(args, env);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await kill(run);
    kills.push('after 1.5 s');

    // 4. To the end.
    run = launch(args, env);
    const code = await run.exited;
    expect(code, run.output()).toBe(0);

    const leads = leadsByEmail(salesforce);
    const missing = Array.from({ length: QUALIFIED }, (_, i) => `q${i}@chaos.example`).filter(
      (email) => (leads.get(email) ?? 0) === 0,
    );
    const extra = duplicates(hubspot, salesforce);
    const unscored = [...hubspot.store.contacts.values()].filter(
      (contact) => contact.properties.leadbridge_score === undefined,
    ).length;
    report('backfill SIGKILL x3', {
      kills: kills.length,
      duplicates: extra,
      missingLeads: missing.length,
      unscoredContacts: unscored,
      writeCalls: writeCalls(hubspot, salesforce),
      apiCalls: apiCalls(hubspot, salesforce),
    });
    expect(extra).toBe(0);
    expect(missing).toEqual([]);
    expect(unscored).toBe(0);

    // A full re-run writes nothing more.
    const writes = writeCalls(hubspot, salesforce);
    const again = launch(['backfill', '--restart', '--config', configFile], env);
    expect(await again.exited, again.output()).toBe(0);
    report('backfill re-run after convergence', { writeCalls: writeCalls(hubspot, salesforce) - writes });
    expect(writeCalls(hubspot, salesforce) - writes).toBe(0);
  });
});
