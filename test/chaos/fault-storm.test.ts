import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, enginePrefixes } from '../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../jobs/reconcile/reconcile-batch.ts';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { Metrics } from '../../src/metrics/prometheus.ts';
import {
  createContact,
  qualifiedContact,
  startOperatorFixture,
  type OperatorFixture,
} from '../e2e/operator-fixture.ts';
import { postJson } from '../helpers/emulators.ts';
import { apiCalls, duplicates, launch, report, writeCalls } from './chaos-fixture.ts';

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
    await fixture.installHubSpot(configFile);
    for (let i = 0; i < 150; i++)
      await createContact(fixture.hubspot, qualifiedContact(`s${i}@chaos.example`));
    for (let i = 0; i < 100; i++)
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
    // HubSpot: 429s (a tight burst limit, two at once) and 10% 5xx; Salesforce: 10% 5xx and sessions
    // that expire every 7 calls.
    await postJson(`${hubspot.url}/__emulator/faults`, {
      burstPer10s: 40,
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
      retryOverhead: overhead.toFixed(2),
      duplicates: duplicates(hubspot, salesforce),
    });
    expect(summary.failures).toEqual([]);
    expect(code, output).toBe(0);
    expect(duplicates(hubspot, salesforce)).toBe(0);

    await postJson(`${hubspot.url}/__emulator/faults`, { burstPer10s: 0, errorRate: 0 });
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

    // A replay of every change notification (as webhooks and outbound messages would name every record):
    // each record is reconciled again, and nothing is written.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    try {
      const config = parseConfig(readFileSync(configFile, 'utf8'), {});
      const { engine } = buildEngine(config, {
        redis,
        logger: silentLogger(),
        metrics: new Metrics({ collectDefaults: false }),
        prefixes: enginePrefixes(env.LEADBRIDGE_REDIS_PREFIX),
      });
      const refs = [
        ...[...hubspot.store.contacts.keys()].map((id) => ({ system: 'hubspot' as const, id })),
        ...salesforce.state.store
          .rows('Lead')
          .filter((row) => !row.IsDeleted)
          .map((row) => ({ system: 'salesforce' as const, id: String(row.Id) })),
      ];
      const replayBefore = writeCalls(hubspot, salesforce);
      for (let i = 0; i < refs.length; i += 100) {
        const result = await reconcileBatch(engine, 'acme', refs.slice(i, i + 100));
        expect(result.failures).toEqual([]);
      }
      const replayWrites = writeCalls(hubspot, salesforce) - replayBefore;
      report('replay of every change notification', { records: refs.length, writeCalls: replayWrites });
      expect(replayWrites).toBe(0);
    } finally {
      await redis.quit();
    }
  });
});
