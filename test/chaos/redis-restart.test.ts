import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContact,
  qualifiedContact,
  startOperatorFixture,
  type OperatorFixture,
} from '../e2e/operator-fixture.ts';
import { startRestartableRedis, type RestartableRedis } from '../helpers/restartable-redis.ts';
import { duplicates, launch, leadsByEmail, report, waitUntil, writeCalls } from './chaos-fixture.ts';

const QUALIFIED = 220;

describe('chaos: Redis restarted under a running backfill', () => {
  let fixture: OperatorFixture;
  let configFile: string;
  let redis: RestartableRedis;

  beforeAll(async () => {
    redis = await startRestartableRedis();
    fixture = await startOperatorFixture('chaos-redis', { seed: 19 });
    configFile = fixture.writeConfig('leadbridge.config.yaml');
    await fixture.installHubSpot(configFile);
    for (let i = 0; i < QUALIFIED; i++)
      await createContact(fixture.hubspot, qualifiedContact(`r${i}@chaos.example`));
  });
  afterAll(async () => {
    await fixture?.close();
    await redis?.close();
  });

  it('rides out a stop of 25 s mid-run: exit 0, a summary, nothing lost or duplicated', async () => {
    const { hubspot, salesforce } = fixture;
    // Salesforce answers slowly, so the restart lands in the middle of the run.
    await fetch(`${salesforce.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 300 }),
    });
    const run = launch(['backfill', '--config', configFile], { ...fixture.env, REDIS_URL: redis.url });
    // Stop Redis once the run is under way (its first write is sent, so it is past its start-up checks),
    // however slowly a loaded machine starts the process: a fixed delay could stop it before it connected.
    await waitUntil(
      () => writeCalls(hubspot, salesforce) > 0 || run.child.exitCode !== null,
      30_000,
      'the backfill to send its first write',
    );
    expect(run.child.exitCode, run.output()).toBeNull();
    const stoppedAt = Date.now();
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 25_000));
    await redis.start();
    const outageMs = Date.now() - stoppedAt;
    const code = await run.exited;
    const leads = leadsByEmail(salesforce);
    const missing = Array.from({ length: QUALIFIED }, (_, i) => `r${i}@chaos.example`).filter(
      (email) => (leads.get(email) ?? 0) === 0,
    );
    report('Redis restart under backfill', {
      outageMs,
      exit: String(code),
      missingLeads: missing.length,
      duplicates: duplicates(hubspot, salesforce),
    });
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/failures: 0/);
    expect(missing).toEqual([]);
    expect(duplicates(hubspot, salesforce)).toBe(0);
  });
});
