import { Redis } from 'ioredis';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { startHubSpotEmulator } from '../connectors/hubspot/emulator/index.ts';
import { startSalesforceEmulator } from '../connectors/salesforce/emulator/index.ts';
import { backfill } from '../jobs/backfill.ts';
import { buildEngine, enginePrefixes } from '../jobs/engine-runtime.ts';
import { reconcileBatch } from '../jobs/reconcile/reconcile-batch.ts';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/log/logger.ts';
import { Metrics } from '../src/metrics/prometheus.ts';
import { deleteKeys, emulatorConfig } from '../test/helpers/emulators.ts';

/**
 * The backfill figure end to end: `leadbridge backfill` (the engine's `backfill` job, reconcile
 * included) over `contacts` HubSpot contacts and `leads` Salesforce leads, with the HubSpot emulator
 * enforcing `burstPer10s` (0: no limit, the engine's own floor) and the tenant configured to match.
 * Reports HubSpot's 2xx and 429 counts and the wall time against `2xx calls ÷ (burstPer10s / 10 s)`.
 * Where the engine is slower than the rate (reconcile CPU), the ratio measures the engine, not the limiter:
 * compare with a run at `burstPer10s: 0`.
 */
export interface EngineBackfillAtLimitResult {
  contacts: number;
  leads: number;
  burstPer10s: number;
  hubspotSucceeded: number;
  hubspotRateLimited: number;
  wallMs: number;
  /** `hubspotSucceeded` calls at the burst rate; NaN when the limit is off. */
  boundMs: number;
  ratio: number;
  complete: boolean;
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
}

export async function runEngineBackfillAtLimit(options: {
  contacts: number;
  leads: number;
  burstPer10s: number;
  redisUrl?: string;
}): Promise<EngineBackfillAtLimitResult> {
  const hubspot = await startHubSpotEmulator({
    port: 0,
    seed: 3,
    contacts: 0,
    webhookApiChanges: false,
    faults: { burstPer10s: 0, searchPerSecond: 0 },
  });
  const salesforce = await startSalesforceEmulator({ port: 0, seed: 3 });
  const redis = new Redis(options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  const base = `lbbench-engine-backfill-${process.pid}-${Date.now()}`;
  try {
    await post(`${hubspot.url}/__emulator/seed`, { count: options.contacts });
    await post(`${salesforce.url}/__emulator/seed`, { count: options.leads });
    const burst = options.burstPer10s > 0 ? options.burstPer10s : 250;
    const text = emulatorConfig(hubspot, salesforce).replace(
      `baseUrl: ${hubspot.url} }`,
      `baseUrl: ${hubspot.url}, burstLimitPer10s: ${burst} }`,
    );
    const config = parseConfig(text, {});
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    const runtime = buildEngine(config, {
      redis,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes(base),
    });
    await post(`${hubspot.url}/__emulator/faults`, {
      burstPer10s: options.burstPer10s,
      searchPerSecond: options.burstPer10s > 0 ? 5 : 0,
    });
    hubspot.calls.clear();
    const started = performance.now();
    const summary = await backfill(runtime, reconcileBatch, { batchSize: 100 });
    const wallMs = performance.now() - started;
    let succeeded = 0;
    let rateLimited = 0;
    for (const byStatus of hubspot.calls.values())
      for (const [status, n] of byStatus) {
        if (status === 429) rateLimited += n;
        else if (status >= 200 && status < 300) succeeded += n;
      }
    const boundMs = options.burstPer10s > 0 ? (succeeded / (options.burstPer10s / 10)) * 1000 : Number.NaN;
    return {
      contacts: options.contacts,
      leads: options.leads,
      burstPer10s: options.burstPer10s,
      hubspotSucceeded: succeeded,
      hubspotRateLimited: rateLimited,
      wallMs,
      boundMs,
      ratio: wallMs / boundMs,
      complete: summary.complete,
    };
  } finally {
    await deleteKeys(redis, base);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  }
}

/** `node bench/engine-backfill-at-limit.ts [contacts] [leads] [burstPer10s]`: one run, printed as JSON. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runEngineBackfillAtLimit({
    contacts: Number(process.argv[2] ?? 10_000),
    leads: Number(process.argv[3] ?? 2_000),
    burstPer10s: Number(process.argv[4] ?? 190),
  });
  console.log(JSON.stringify(result, null, 2));
}
