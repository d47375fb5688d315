import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, stop } from '../helpers/cli.ts';
import {
  createContact,
  qualifiedContact,
  type OperatorFixture,
  useInstalledFixture,
} from './operator-fixture.ts';

interface Explained {
  query: string;
  results: Array<{
    tenant: string;
    link: { leadKey: string; hubspot: string | null; salesforceLead: string | null; email: string | null };
    entries: Array<Record<string, unknown> & { type: string }>;
    unreadable: unknown[];
  }>;
}

describe('leadbridge explain (built CLI) after a sync against both emulators', () => {
  const suite = useInstalledFixture('explain');
  let fixture: OperatorFixture;
  let configFile: string;
  let contactId: string;
  let salesforceId: string;

  beforeAll(async () => {
    ({ fixture, configFile } = suite);
    contactId = await createContact(fixture.hubspot, qualifiedContact('ada@analytical.example'));
    const sync = await runCli(['sync', '--once', '--config', configFile], fixture.env, 60_000);
    if (sync.code !== 0) throw new Error(`sync --once failed:\n${sync.stdout}\n${sync.stderr}`);
    const lead = fixture.salesforce.state.store.rows('Lead')[0];
    salesforceId = String(lead?.Id);
  }, 90_000);

  it('prints the link and a timeline: the change seen, the MQL decision with its score, the patches written', async () => {
    const result = await runCli(['explain', 'ADA@analytical.example', '--config', configFile], fixture.env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^ada@analytical\.example {2}lead lb_[0-9a-z]+ {2}tenant acme/);
    expect(out).toContain(`HubSpot contact:     ${contactId}`);
    expect(out).toContain(`Salesforce Lead:     ${salesforceId}`);
    expect(out).toMatch(/WHEN\s+WHAT\s+SYSTEM\s+DETAIL/);
    expect(out).toMatch(
      new RegExp(
        `\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\s+change\\s+hubspot\\s+${contactId} \\w+ at .* UTC \\(seen by poll\\)`,
      ),
    );
    expect(out).toMatch(
      /decision\s+leadbridge\s+lead -> mql; rule \S+; by leadbridge; score 60 \(vp-title \+30, has-phone \+30\)/,
    );
    expect(out).toMatch(new RegExp(`created\\s+salesforce\\s+${salesforceId}: .*stage`));
    // Columns line up: every timeline row starts its WHAT and SYSTEM columns under the headers.
    const lines = out.split('\n');
    const header = lines.find((line) => /WHEN\s+WHAT/.test(line))!;
    const rows = lines.filter((line) => /^ {2}\d{4}-\d\d-\d\d /.test(line));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const column of [header.indexOf('WHAT'), header.indexOf('SYSTEM'), header.indexOf('DETAIL')]) {
      for (const row of rows) expect(row.slice(column - 2, column + 1)).toMatch(/^ {2}\S$/);
    }
  });

  it('--json gives the same history to machines, found by the Salesforce id too, oldest first', async () => {
    const result = await runCli(['explain', salesforceId, '--json', '--config', configFile], fixture.env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const explained = JSON.parse(result.stdout) as Explained;
    expect(explained.results).toHaveLength(1);
    const [lead] = explained.results;
    expect(lead!.link).toMatchObject({ hubspot: contactId, salesforceLead: salesforceId });
    const types = lead!.entries.map((entry) => entry.type);
    expect(types).toContain('change_seen');
    expect(types).toContain('decision');
    expect(types).toContain('patch_written');
    expect(types.indexOf('change_seen')).toBeLessThan(types.indexOf('decision'));
    expect(types.indexOf('decision')).toBeLessThan(types.lastIndexOf('patch_written'));
    const decision = lead!.entries.find((entry) => entry.type === 'decision' && entry.to === 'mql');
    expect(decision).toMatchObject({
      from: 'lead',
      by: 'leadbridge',
      score: {
        score: 60,
        fired: [
          { id: 'vp-title', points: 30 },
          { id: 'has-phone', points: 30 },
        ],
      },
    });
    const patches = lead!.entries.filter((entry) => entry.type === 'patch_written');
    expect(patches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ system: 'salesforce', recordId: salesforceId, created: true }),
        expect.objectContaining({ system: 'hubspot', recordId: contactId }),
      ]),
    );
    const times = lead!.entries.map((entry) => Date.parse(String(entry.at)));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const limited = await runCli(
      ['explain', contactId, '--json', '--limit', '1', '--tenant', 'acme', '--config', configFile],
      fixture.env,
    );
    expect(limited.code).toBe(0);
    const last = (JSON.parse(limited.stdout) as Explained).results[0]!.entries;
    expect(last).toEqual(lead!.entries.slice(-1));
  });

  it('leadbridge serve answers GET /api/leads/:key/explain with the same history (admin token)', async () => {
    const cli = await runCli(['explain', contactId, '--json', '--config', configFile], fixture.env);
    const expected = JSON.parse(cli.stdout) as Explained;
    const server = await startCli(
      ['serve', '--port', '0', '--config', configFile],
      { ...fixture.env, LEADBRIDGE_ADMIN_TOKEN: 'srv-6Yh2Tg8Rf4Ed1Ws9Qa3Zx7Cv' },
      /listening on (http:\/\/\S+)/,
    );
    try {
      const url = `${server.match[1]}/api/leads/${contactId}/explain`;
      expect((await fetch(url)).status).toBe(401);
      const response = await fetch(url, {
        headers: { authorization: 'Bearer srv-6Yh2Tg8Rf4Ed1Ws9Qa3Zx7Cv' },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expected);
      const unknown = await fetch(`${server.match[1]}/api/leads/nobody%40example.org/explain`, {
        headers: { authorization: 'Bearer srv-6Yh2Tg8Rf4Ed1Ws9Qa3Zx7Cv' },
      });
      expect(unknown.status).toBe(404);
    } finally {
      expect(await stop(server.child)).toBe(0);
    }
  });

  it('exits 1 with a clear message for an unknown lead', async () => {
    const result = await runCli(['explain', 'nobody@example.org', '--config', configFile], fixture.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no lead matches "nobody@example\.org" in tenant acme/);
  });

  it('exits 2 for a tenant the config does not have', async () => {
    const result = await runCli(
      ['explain', contactId, '--tenant', 'initech', '--config', configFile],
      fixture.env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--tenant: unknown tenant "initech"; configured: acme/);
  });
});
