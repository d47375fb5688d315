import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { createContact, useInstalledFixture } from './operator-fixture.ts';

interface Summary {
  failures: Array<{ system: string; code: string; message: string }>;
  planned?: unknown[];
  records: Record<string, number>;
  leads: number;
}

const byCode = (summary: Summary) =>
  summary.failures.reduce<Record<string, number>>((counts, failure) => {
    counts[failure.code] = (counts[failure.code] ?? 0) + 1;
    return counts;
  }, {});

/** Per cause and field: both the prediction and Salesforce's answer start with the field they refuse. */
const byField = (summary: Summary) =>
  summary.failures.reduce<Record<string, number>>((counts, failure) => {
    const key = `${failure.code} ${failure.message.split(':')[0]}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

/** Scores 60 (VP title, phone) and carries every field the gate asks for, so the gate hands it off. */
const qualified = (email: string, overrides: Record<string, string> = {}) => ({
  email,
  firstname: 'Ada',
  lastname: email.split('@')[0]!,
  company: 'Analytical Engines',
  jobtitle: 'VP Engineering',
  phone: '+44 20 7946 0000',
  lifecyclestage: 'marketingqualifiedlead',
  ...overrides,
});

describe('a backfill dry run that predicts what Salesforce will refuse (built CLI)', () => {
  // The gate (score, required fields) passes every lead below: what Salesforce refuses here is a value
  // longer than its field, which only the org's describe can tell.
  const suite = useInstalledFixture('backfill-truth', { seed: 11 });

  it('--dry-run counts by cause the records the real run then fails on, and exits 1 like it', async () => {
    const { hubspot, salesforce, env, configFile } = suite;
    for (const n of [1, 2]) {
      await createContact(
        hubspot,
        // Lead.FirstName holds 40 characters.
        qualified(`longname${n}@example.org`, { firstname: `Maximiliana${n} ${'Long'.repeat(10)}` }),
      );
    }
    await createContact(
      hubspot,
      // Lead.Title holds 128 characters.
      qualified('longtitle@example.org', { jobtitle: `VP of ${'very '.repeat(30)}long titles` }),
    );
    await createContact(hubspot, qualified('fine@example.org'));

    const dryText = await runCli(['backfill', '--dry-run', '--config', configFile], env, 60_000);
    expect(dryText.code, dryText.stdout + dryText.stderr).toBe(1);
    expect(dryText.stdout).toMatch(/acme salesforce STRING_TOO_LONG: 3$/m);
    expect(dryText.stdout).toMatch(/FirstName: data value too large: .*max length=40/);
    expect(dryText.stdout).toMatch(/Title: data value too large: .*max length=128/);
    expect(salesforce.state.store.rows('Lead')).toHaveLength(0);

    const dry = JSON.parse(
      (await runCli(['backfill', '--dry-run', '--json', '--config', configFile], env, 60_000)).stdout,
    ) as Summary;
    expect(byCode(dry)).toEqual({ STRING_TOO_LONG: 3 });
    expect(byField(dry)).toEqual({ 'STRING_TOO_LONG FirstName': 2, 'STRING_TOO_LONG Title': 1 });
    expect(dry.planned?.length).toBeGreaterThan(0);

    const real = await runCli(['backfill', '--json', '--config', configFile], env, 60_000);
    expect(real.code, real.stdout + real.stderr).toBe(1);
    const summary = JSON.parse(real.stdout) as Summary;
    // The dry run told the truth: the same records fail for the same causes.
    expect(byCode(summary)).toEqual(byCode(dry));
    expect(byField(summary)).toEqual(byField(dry));
    expect(salesforce.state.store.rows('Lead')).toHaveLength(1);
    expect(summary.records.hubspot).toBe(4);
    expect(summary.leads).toBe(4);
  });
});
