import { describe, expect, it } from 'vitest';
import type { HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { createContact, qualifiedContact, useInstalledFixture } from './operator-fixture.ts';

/**
 * Write calls the emulators served: HubSpot batch writes; Salesforce sObject Collections create/update
 * (`POST /composite/sobjects/Lead` is a retrieve, a read).
 */
function writeCalls(hubspot: HubSpotEmulator, salesforce: SalesforceEmulator): number {
  const count = (calls: Iterable<[string, Iterable<number>]>, write: RegExp) => {
    let total = 0;
    for (const [endpoint, statuses] of calls) {
      if (write.test(endpoint)) for (const n of statuses) total += n;
    }
    return total;
  };
  const hubspotCalls = [...hubspot.calls].map(
    ([endpoint, byStatus]) => [endpoint, byStatus.values()] as [string, Iterable<number>],
  );
  const salesforceCalls = Object.entries(salesforce.state.usage.stats().calls).map(
    ([endpoint, byStatus]) => [endpoint, Object.values(byStatus)] as [string, Iterable<number>],
  );
  return (
    count(hubspotCalls, /batch\/(update|upsert|create)|^PATCH /) +
    count(
      salesforceCalls,
      /^(POST|PATCH|DELETE) \/composite\/sobjects$|^PATCH \/composite\/sobjects\/\w+\/\w+$/,
    )
  );
}

interface Summary {
  leads: number;
  written: { hubspot: number; salesforce: number };
  created: { hubspot: number; salesforce: number };
  failures: unknown[];
}

describe('leadbridge sync --once (built CLI) against both emulators', () => {
  const suite = useInstalledFixture('sync', { seed: 5 });

  it('hands a qualifying HubSpot contact to Salesforce, keeps the other one out, and a second run writes nothing', async () => {
    const { hubspot, salesforce, env, configFile } = suite;
    const qualified = await createContact(hubspot, qualifiedContact('ada@analytical.example'));
    await createContact(hubspot, { email: 'bob@example.org', firstname: 'Bob', lifecyclestage: 'lead' });

    const first = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(first.stderr).not.toMatch(/"level":(50|60)/);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/leads reconciled: 2\b/);
    expect(first.stdout).toMatch(/salesforce 1 \(1 created\)/);
    expect(first.stdout).toMatch(/failures: 0/);

    const leads = salesforce.state.store.rows('Lead');
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({
      Email: 'ada@analytical.example',
      LastName: 'Lovelace',
      Company: 'Analytical Engines',
      Status: 'Open - Not Contacted',
      LeadBridge_Score__c: 60,
      LeadBridge_Stage__c: 'mql',
    });
    const contact = hubspot.store.contacts.get(qualified);
    expect(contact?.properties).toMatchObject({
      lifecyclestage: 'marketingqualifiedlead',
      leadbridge_score: '60',
    });

    const writesBefore = writeCalls(hubspot, salesforce);
    expect(writesBefore).toBeGreaterThanOrEqual(2);
    const second = await runCli(['sync', '--once', '--json', '--config', configFile], env, 60_000);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const summary = JSON.parse(second.stdout) as Summary;
    expect(summary.written).toEqual({ hubspot: 0, salesforce: 0 });
    expect(summary.created).toEqual({ hubspot: 0, salesforce: 0 });
    expect(summary.failures).toEqual([]);
    expect(writeCalls(hubspot, salesforce)).toBe(writesBefore);
  });

  it('exits 1 and lists the record with its code when Salesforce refuses it', async () => {
    const { hubspot, salesforce, env, configFile } = suite;
    // HubSpot takes a 200-character job title; Salesforce's Lead.Title holds 128 (STRING_TOO_LONG).
    await createContact(hubspot, {
      email: 'cy@longtitle.example',
      firstname: 'Cy',
      lastname: 'Long',
      company: 'Verbose Inc',
      jobtitle: `VP ${'of Many Things '.repeat(13)}`.slice(0, 200),
      phone: '+1 555 0100',
      lifecyclestage: 'lead',
    });
    const result = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/failures: 1\b/);
    expect(result.stdout).toMatch(/acme salesforce .*STRING_TOO_LONG/);
    expect(salesforce.state.store.rows('Lead').map((lead) => lead.Email)).not.toContain(
      'cy@longtitle.example',
    );
  });
});
