import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../../src/config/config-error.ts';
import { interpolateEnv } from '../../../src/config/interpolate.ts';
import { parseConfig } from '../../../src/config/load.ts';

const exampleText = readFileSync(new URL('../../../leadbridge.config.example.yaml', import.meta.url), 'utf8');
const exampleEnv = Object.fromEntries(
  readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

function problemsOf(text: string, env: Record<string, string | undefined> = exampleEnv) {
  try {
    parseConfig(text, env, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

const minimal = (extra = '') => `
tenants:
  - id: acme
    hubspot: { accessToken: tok }
    salesforce: { orgId: 00D000000000000AAA, accessToken: t, instanceUrl: https://acme.my.salesforce.com }
${extra}`;

describe('config file', () => {
  it('accepts the example config with only the .env.example variables set', () => {
    const config = parseConfig(exampleText, exampleEnv);
    expect(config.tenants[0]?.hubspot.accessToken).toBe(exampleEnv.HUBSPOT_ACCESS_TOKEN);
    expect(config.tenants[0]?.salesforce.orgId).toBe('00D000000000000AAA');
    expect(config.lifecycle.stages).toEqual(['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer']);
    expect(config.lifecycle.salesforce.status['Closed - Not Converted']).toBe('rejected');
    expect(config.customFields.salesforce.rejectionReason).toBe('Rejection_Reason__c');
  });

  it('fills in the design defaults for everything but the tenants', () => {
    const config = parseConfig(minimal(), {});
    expect(config.lifecycle.hubspot.lifecyclestage.mql).toBe('marketingqualifiedlead');
    expect(config.lifecycle.hubspot.lifecyclestage.sql).toBe('salesqualifiedlead');
    expect(config.lifecycle.salesforce.status['Open - Not Contacted']).toBe('mql');
    expect(config.lifecycle.salesforce.status['Working - Contacted']).toBe('sql');
    expect(config.lifecycle.salesforce.status['Closed - Converted']).toBe('opportunity');
    expect(config.scoring.mqlThreshold).toBe(50);
    expect(config.sla.followUpWithin).toBe('1h');
    expect(config.customFields.hubspot.score).toBe('leadbridge_score');
    expect(config.fields.map((field) => field.canonical)).toContain('email');
    expect(config.tenants[0]?.hubspot.baseUrl).toBe('https://api.hubapi.com');
    expect(config.tenants[0]?.salesforce.apiBudgetShare).toBe(0.8);
  });

  it('names the field, the problem and the fix for each problem, all at once', () => {
    const problems = problemsOf(`
tenants:
  - id: Acme Corp
    hubspot: { accessToken: "" }
    salesforce: { orgId: "123", refreshToken: r }
scoring: { mqlThreshold: 50, rules: [{ id: a, category: fit, field: x, op: nope, points: 1 }] }
sla: { followUpWithin: soon }
`);
    const byPath = Object.fromEntries(problems.map((problem) => [problem.path, problem.message]));
    expect(byPath['tenants[0].id']).toMatch(/lower-case/);
    expect(byPath['tenants[0].hubspot.accessToken']).toMatch(/access token/);
    expect(byPath['tenants[0].salesforce.orgId']).toMatch(/00D/);
    expect(byPath['scoring.rules[0].op']).toBeDefined();
    expect(byPath['sla.followUpWithin']).toMatch(/"1h"/);
  });

  it('refuses unknown keys so a typo is not silently ignored', () => {
    const problems = problemsOf(minimal('scoring: { mqlTreshold: 40 }\n'));
    expect(problems).toEqual([{ path: 'scoring', message: 'unknown key(s) "mqlTreshold"' }]);
  });

  it('does not quote an unknown key that looks like a secret (a broken line can make a value a key)', () => {
    // `accessToken sk-LIVE-…` lost its colon: YAML reads the secret as a key of the hubspot map.
    for (const secret of ['sk-LIVE-0c1d2e3f4a5b6c7d', 'pat-na1-3f2a9c4b', 'a1b2c3d4e5f6']) {
      const problems = problemsOf(minimal(`scoring: { mqlThreshold: 40, ${secret}: 1 }\n`));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).not.toContain(secret);
      expect(problems[0]?.message).toMatch(/not a plain name/);
    }
    // A misspelt key, digits and all, is still named.
    const typo = problemsOf(minimal('scoring: { mqlThreshold: 40, burstLimitPer10: 1 }\n'));
    expect(typo[0]?.message).toBe('unknown key(s) "burstLimitPer10"');
  });

  it('names a missing environment variable once, at the field that references it', () => {
    const env = { ...exampleEnv, SALESFORCE_ORG_ID: undefined };
    const problems = problemsOf(exampleText, env);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('tenants[0].salesforce.orgId');
    expect(problems[0]?.message).toMatch(/SALESFORCE_ORG_ID is not set/);
  });

  it('requires Salesforce credentials that can actually authenticate', () => {
    const problems = problemsOf(`
tenants:
  - id: acme
    hubspot: { accessToken: tok }
    salesforce: { orgId: 00D000000000000AAA, refreshToken: r }
`);
    expect(problems).toContainEqual({
      path: 'tenants[0].salesforce.clientId',
      message: expect.stringMatching(/clientId/),
    });
  });

  it('checks that stage names used in mappings exist', () => {
    const problems = problemsOf(minimal('lifecycle: { salesforce: { status: { Working: sqll } } }\n'));
    expect(problems[0]?.path).toBe('lifecycle.salesforce.status.Working');
    expect(problems[0]?.message).toMatch(/"sqll" is not a stage/);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('tenants: [\n  - id: x\n');
    expect(problems[0]?.path).toMatch(/^line \d+/);
  });

  it('never quotes the lines of a file with a YAML syntax error (they may hold a literal secret)', () => {
    const secret = 'sk-LIVE-9f8e7d6c5b4a';
    const broken = [
      `tenants:\n  - id: x\n    hubspot: { accessToken: "${secret} }\n`,
      `tenants:\n  - id: x\n   hubspot: { accessToken: ${secret} \n`,
      `tenants: [${secret}\n`,
      `token: ${secret}: more\n`,
      `a:\n\t- ${secret}\n`,
      `token: *${secret}\n`,
    ];
    for (const text of broken) {
      let message = '';
      try {
        parseConfig(text, {}, 'leadbridge.config.yaml');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/(line \d+, column \d+|top level\)): YAML syntax error/);
      expect(message).not.toContain(secret);
      expect(message).not.toContain(secret.slice(0, 8));
    }
  });

  it('is stable under parse -> serialize -> parse', () => {
    const first = parseConfig(exampleText, exampleEnv);
    const second = parseConfig(stringify(first), {});
    expect(second).toEqual(first);
  });

  it('is stable under parse -> serialize -> parse for generated configs', () => {
    const durations = fc
      .tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom('s', 'm', 'h', 'd'))
      .map(([n, u]) => `${n}${u}`);
    const configs = fc.record({
      threshold: fc.integer({ min: 0, max: 500 }),
      followUp: durations,
      share: fc.double({ min: 0.01, max: 1, noNaN: true }),
      required: fc.uniqueArray(fc.constantFrom('email', 'phone', 'company', 'title'), { maxLength: 4 }),
      points: fc.integer({ min: -50, max: 50 }),
    });
    fc.assert(
      fc.property(configs, ({ threshold, followUp, share, required, points }) => {
        const text = minimal(
          `scoring: { mqlThreshold: ${threshold}, rules: [{ id: r, category: fit, field: company, op: exists, points: ${points} }] }\n` +
            `sla: { followUpWithin: ${followUp} }\nhandoff: { requiredFields: [${required.join(', ')}] }\n`,
        ).replace('accessToken: t,', `accessToken: t, apiBudgetShare: ${share},`);
        const first = parseConfig(text, {});
        expect(parseConfig(stringify(first), {})).toEqual(first);
      }),
      { numRuns: 60 },
    );
  });
});

describe('interpolateEnv', () => {
  it('substitutes variables and defaults inside longer strings', () => {
    const { value, missing } = interpolateEnv({ a: 'x-${A}-y', b: ['${B:-fallback}'], c: 3 }, { A: '1' });
    expect(value).toEqual({ a: 'x-1-y', b: ['fallback'], c: 3 });
    expect(missing).toEqual([]);
  });

  it('treats an empty variable as unset so a default applies', () => {
    expect(interpolateEnv('${A:-d}', { A: '' }).value).toBe('d');
  });

  it('reports each missing variable with its path', () => {
    const { missing } = interpolateEnv({ t: [{ k: '${NOPE}' }] }, {});
    expect(missing).toEqual([{ path: ['t', 0, 'k'], name: 'NOPE' }]);
  });
});

describe('API versions in the config', () => {
  const tenant = (hubspot: string, salesforce: string) => `
tenants:
  - id: acme
    hubspot: { accessToken: tok${hubspot} }
    salesforce: { orgId: 00D000000000000AAA, accessToken: t, instanceUrl: https://acme.my.salesforce.com${salesforce} }
`;

  it('defaults to HubSpot 2026-09 and Salesforce 66.0, and reads the journal mode', () => {
    const config = parseConfig(tenant('', ''), {});
    expect(config.tenants[0]?.hubspot).toMatchObject({ apiVersion: '2026-09', ingest: 'webhooks' });
    expect(config.tenants[0]?.salesforce.apiVersion).toBe('66.0');
    const journal = parseConfig(tenant(', apiVersion: v3, ingest: journal', ", apiVersion: '67.0'"), {});
    expect(journal.tenants[0]?.hubspot).toMatchObject({
      apiVersion: 'v3',
      ingest: 'journal',
      journalInterval: '30s',
    });
    expect(journal.tenants[0]?.salesforce.apiVersion).toBe('67.0');
  });

  it('refuses a HubSpot version that is not v3 or March/September, and a retired Salesforce version', () => {
    const text = (problems: Array<{ path: string; message: string }>) =>
      problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n');
    expect(text(problemsOf(tenant(", apiVersion: '2026-05'", ''), {}))).toMatch(
      /hubspot\.apiVersion: .*March and September/,
    );
    expect(text(problemsOf(tenant('', ", apiVersion: '30.0'"), {}))).toMatch(
      /salesforce\.apiVersion: .*retired/,
    );
  });
});
