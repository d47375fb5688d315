import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, stop } from '../helpers/cli.ts';
import {
  createContact,
  qualifiedContact,
  startOperatorFixture,
  type OperatorFixture,
} from '../e2e/operator-fixture.ts';
import { postJson } from '../helpers/emulators.ts';
import { apiCalls, duplicates, launch, report, unlinkedRecords, writeCalls } from './chaos-fixture.ts';
import { replayEverything, waitForDrain, withClientSecret } from './replay.ts';

interface Summary {
  failures: Array<{ code: string; retryable?: boolean }>;
  complete?: boolean;
}

/** API calls answered with a 2xx, i.e. the calls a fault-free run would have made. */
function successfulCalls(fixture: OperatorFixture): number {
  let total = 0;
  for (const byStatus of fixture.hubspot.calls.values())
    for (const [status, n] of byStatus) if (String(status).startsWith('2')) total += n;
  for (const byStatus of Object.values(fixture.salesforce.state.usage.stats().calls))
    for (const [status, n] of Object.entries(byStatus)) if (status.startsWith('2')) total += n;
  return total;
}

describe('chaos: a fault storm, then convergence', () => {
  let fixture: OperatorFixture;
  let configFile: string;

  beforeAll(async () => {
    fixture = await startOperatorFixture('chaos-storm', { seed: 17 });
    configFile = fixture.writeConfig('leadbridge.config.yaml');
    writeFileSync(configFile, withClientSecret(readFileSync(configFile, 'utf8')));
    await fixture.installHubSpot(configFile);
    for (let i = 0; i < 150; i++)
      await createContact(fixture.hubspot, qualifiedContact(`s${i}@chaos.example`));
    // Enough pages and batches that the storm's every-9th-call token expiry is met: a --json backfill
    // asks for no totals and fills its write calls, about 8 HubSpot calls for 250 contacts.
    for (let i = 0; i < 300; i++)
      await createContact(fixture.hubspot, {
        email: `n${i}@chaos.example`,
        firstname: 'N',
        lifecyclestage: 'lead',
      });
    await postJson(`${fixture.salesforce.url}/__emulator/seed`, { count: 40 });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('converges 100% with 0 permanent errors from transient faults; then 10 passes write nothing', async () => {
    const { hubspot, salesforce, env } = fixture;
    // The storm: 10% of calls 429, 5% 5xx, HubSpot's token expiring (every 9th call answers
    // 401 EXPIRED_AUTHENTICATION) and Salesforce sessions expiring every 7 calls.
    await postJson(`${hubspot.url}/__emulator/faults`, {
      rateLimitRate: 0.1,
      expiredTokenEvery: 9,
      errorRate: 0.05,
      errorStatus: 503,
    });
    await postJson(`${salesforce.url}/__emulator/faults`, {
      errorRate: 0.05,
      errorStatus: 503,
      expireSessionsAfterCalls: 7,
    });
    const storm = launch(['backfill', '--json', '--config', configFile], env);
    const code = await storm.exited;
    const expiredAnswers = [...hubspot.calls.values()].reduce(
      (sum, byStatus) => sum + (byStatus.get(401) ?? 0),
      0,
    );
    const output = storm.output();
    const summary = JSON.parse(output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1)) as Summary;
    const calls = apiCalls(hubspot, salesforce);
    const faulted = calls - successfulCalls(fixture);
    const overhead = calls / Math.max(1, successfulCalls(fixture));
    report('fault storm backfill', {
      exit: String(code),
      permanentErrors: summary.failures.length,
      apiCalls: calls,
      faultsServed: faulted,
      expiredTokenAnswers: expiredAnswers,
      retryOverhead: overhead.toFixed(2),
      duplicates: duplicates(hubspot, salesforce),
    });
    expect(summary.failures).toEqual([]);
    expect(code, output).toBe(0);
    expect(duplicates(hubspot, salesforce)).toBe(0);
    expect(expiredAnswers).toBeGreaterThan(0);
    // Every record converged: each HubSpot contact and Salesforce Lead is linked.
    const unlinked = await unlinkedRecords(env.LEADBRIDGE_REDIS_PREFIX, hubspot, salesforce);
    report('fault storm convergence', { unlinked: unlinked.length, retryOverhead: overhead.toFixed(2) });
    expect(unlinked).toEqual([]);
    expect(overhead).toBeLessThan(2);

    await postJson(`${hubspot.url}/__emulator/faults`, {
      rateLimitRate: 0,
      errorRate: 0,
      expiredTokenEvery: 0,
    });
    await postJson(`${salesforce.url}/__emulator/faults`, { errorRate: 0 });
    // Settle: one pass picks up what the storm's own writes changed.
    const settle = launch(['sync', '--once', '--config', configFile], env);
    await settle.exited;
    const before = writeCalls(hubspot, salesforce);
    for (let pass = 0; pass < 10; pass++) {
      const once = launch(['sync', '--once', '--config', configFile], env);
      expect(await once.exited, once.output()).toBe(0);
    }
    const after = writeCalls(hubspot, salesforce) - before;
    report('10 sync --once passes after convergence', { writeCalls: after });
    expect(after).toBe(0);

    // A replay of every webhook and Outbound Message, signed, over HTTP to the running product (server
    // and workers): every record is reconciled again, and nothing is written.
    const running = await startCli(
      ['start', '--config', configFile, '--port', '0'],
      env,
      /listening on (http:\/\/\S+), workers running/,
    );
    try {
      const readsBefore = apiCalls(hubspot, salesforce);
      const replayBefore = writeCalls(hubspot, salesforce);
      const sent = await replayEverything(running.match[1]!, hubspot, salesforce);
      await waitForDrain(env.LEADBRIDGE_REDIS_PREFIX!, 'acme', 90_000);
      const replayWrites = writeCalls(hubspot, salesforce) - replayBefore;
      report('replay of every webhook and outbound message over HTTP', {
        records: sent.records,
        webhookBatches: sent.webhookBatches,
        outboundMessages: sent.outboundMessages,
        apiCallsToReread: apiCalls(hubspot, salesforce) - readsBefore,
        writeCalls: replayWrites,
      });
      // The replay was taken in and the records read again (not dropped at the door)...
      expect(apiCalls(hubspot, salesforce) - readsBefore).toBeGreaterThan(0);
      // ...and wrote nothing.
      expect(replayWrites).toBe(0);
    } finally {
      expect(await stop(running.child)).toBe(0);
    }
  });
});
