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

describe('a backfill dry run that predicts what Salesforce will refuse (built CLI)', () => {
  // The gate asks only for an email, so leads without a company reach Salesforce, where Company is required.
  const suite = useInstalledFixture(
    'backfill-truth',
    { seed: 11 },
    { extra: 'handoff: { requiredFields: [email] }\n' },
  );

  it('--dry-run counts by cause the records the real run then fails on, and exits 1 like it', async () => {
    const { hubspot, salesforce, env, configFile } = suite;
    for (const n of [1, 2]) {
      await createContact(hubspot, {
        email: `nocompany${n}@example.org`,
        lastname: `Nocompany${n}`,
        lifecyclestage: 'marketingqualifiedlead',
      });
    }
    await createContact(hubspot, {
      email: 'longtitle@example.org',
      lastname: 'Longtitle',
      company: 'Verbose Inc',
      jobtitle: `Head of ${'very '.repeat(30)}long titles`,
      lifecyclestage: 'marketingqualifiedlead',
    });
    await createContact(hubspot, {
      email: 'fine@example.org',
      lastname: 'Fine',
      company: 'Fine Co',
      lifecyclestage: 'marketingqualifiedlead',
    });

    const dryText = await runCli(['backfill', '--dry-run', '--config', configFile], env, 60_000);
    expect(dryText.code, dryText.stdout + dryText.stderr).toBe(1);
    expect(dryText.stdout).toMatch(/acme salesforce REQUIRED_FIELD_MISSING: 2$/m);
    expect(dryText.stdout).toMatch(/acme salesforce STRING_TOO_LONG: 1$/m);
    expect(dryText.stdout).toMatch(/Required fields are missing: \[Company\]/);
    expect(salesforce.state.store.rows('Lead')).toHaveLength(0);

    const dry = JSON.parse(
      (await runCli(['backfill', '--dry-run', '--json', '--config', configFile], env, 60_000)).stdout,
    ) as Summary;
    expect(byCode(dry)).toEqual({ REQUIRED_FIELD_MISSING: 2, STRING_TOO_LONG: 1 });
    expect(dry.planned?.length).toBeGreaterThan(0);

    const real = await runCli(['backfill', '--json', '--config', configFile], env, 60_000);
    expect(real.code, real.stdout + real.stderr).toBe(1);
    const summary = JSON.parse(real.stdout) as Summary;
    // The dry run told the truth: the same records fail for the same causes.
    expect(byCode(summary)).toEqual(byCode(dry));
    expect(salesforce.state.store.rows('Lead')).toHaveLength(1);
    expect(summary.records.hubspot).toBe(4);
    expect(summary.leads).toBe(4);
  });
});
