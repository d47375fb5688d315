import { describe, expect, it } from 'vitest';
import { postJson } from '../helpers/emulators.ts';
import { runCli } from '../helpers/cli.ts';
import { createContact, qualifiedContact, useInstalledFixture } from './operator-fixture.ts';

/** As an admin meets it: a rep already entered the person in Salesforce before LeadBridge was installed. */
describe('leadbridge backfill (built CLI) when the person is already a Salesforce Lead', () => {
  const suite = useInstalledFixture('backfill-existing', { seed: 11 });

  it('links the rep’s Lead instead of creating a second one, and explain says so', async () => {
    const { hubspot, salesforce, env, configFile } = suite;
    await createContact(hubspot, qualifiedContact('ada@engine.example'));
    const { id: repLead } = (await postJson(`${salesforce.url}/__emulator/leads`, {
      fields: {
        LastName: 'Lovelace',
        Company: 'Engine Ltd',
        Email: 'Ada@Engine.example',
        Status: 'Open - Not Contacted',
      },
    })) as { id: string };

    const run = await runCli(['backfill', '--config', configFile], env, 60_000);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/failures: 0/);
    const leads = salesforce.state.store.rows('Lead').filter(
      (row) =>
        String(row.Email ?? '')
          .trim()
          .toLowerCase() === 'ada@engine.example',
    );
    expect(leads.map((row) => row.Id)).toEqual([repLead]);
    expect(leads[0]).toMatchObject({ LeadBridge_Score__c: 60 });

    const explained = await runCli(['explain', 'ada@engine.example', '--config', configFile], env);
    expect(explained.code, explained.stdout + explained.stderr).toBe(0);
    expect(explained.stdout).toContain(
      `linked    salesforce  ${repLead}: an existing Lead with the lead's email, linked instead of creating one`,
    );
    expect(explained.stdout).toMatch(new RegExp(`Salesforce Lead:\\s+${repLead}`));
  });
});
