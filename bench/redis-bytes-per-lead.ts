/**
 * Redis bytes per lead after a backfill, for the README's sizing figures ("Scaling out"):
 *   node bench/redis-bytes-per-lead.ts [--leads 3000] [--redis-url redis://127.0.0.1:6379]
 * Both emulators are seeded (HubSpot contacts, Salesforce leads, about one in ten the same person), a
 * backfill runs through the real engine with the timer queue attached, then every key under a fresh
 * prefix is weighed with `MEMORY USAGE <key> SAMPLES 0` (exact, on every master of a cluster) and the
 * keys are deleted. Prints bytes per lead by kind of key and in total, as JSON too. Not part of npm test.
 */
import { parseArgs } from 'node:util';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { startHubSpotEmulator } from '../connectors/hubspot/emulator/index.ts';
import { startSalesforceEmulator } from '../connectors/salesforce/emulator/index.ts';
import { backfill } from '../jobs/backfill.ts';
import { attachTimerQueue, buildEngine, enginePrefixes } from '../jobs/engine-runtime.ts';
import { reconcileBatch } from '../jobs/reconcile/reconcile-batch.ts';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/log/logger.ts';
import { Metrics } from '../src/metrics/prometheus.ts';
import { createRedis, deleteMatching, masterNodes } from '../src/store/redis.ts';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '3000' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const leads = Number(values.leads);
const redisUrl = values['redis-url'];

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
}

/** The kind of a key, for the breakdown: `...:{tenant}:ledger:<lead>` -> `ledger`, a queue key -> `queue`. */
function kindOf(key: string, prefix: string): string {
  const rest = key.slice(prefix.length + 1);
  const tenantPart = /^store:\{[^}]+\}:([a-z-]+)/.exec(rest);
  if (tenantPart) return tenantPart[1]!;
  if (/^\{[a-z]+\}:/.test(rest)) return 'queue';
  return rest.split(':')[0] ?? rest;
}

const prefix = `lbbench-bytes-${process.pid}-${Date.now()}`;
const hubspot = await startHubSpotEmulator({
  port: 0,
  seed: 5,
  contacts: 0,
  webhookApiChanges: false,
  faults: { burstPer10s: 0, searchPerSecond: 0 },
});
const salesforce = await startSalesforceEmulator({ port: 0, seed: 5 });
const redis = createRedis(redisUrl, silentLogger(), { maxRetriesPerRequest: 3 });
try {
  const hubspotContacts = Math.round(leads * 0.9);
  await post(`${hubspot.url}/__emulator/seed`, { count: hubspotContacts });
  await post(`${salesforce.url}/__emulator/seed`, { count: leads - hubspotContacts });
  const config = parseConfig(
    `
tenants:
  - id: bench
    hubspot: { accessToken: emulator-token, baseUrl: ${hubspot.url} }
    salesforce: { loginUrl: ${salesforce.url}, clientId: emulator-client, refreshToken: emulator-refresh, orgId: ${salesforce.orgId} }
`,
    {},
  );
  await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
  const prefixes = enginePrefixes(prefix);
  const runtime = buildEngine(config, {
    redis,
    logger: silentLogger(),
    metrics: new Metrics({ collectDefaults: false }),
    prefixes,
  });
  const timers = attachTimerQueue(runtime.engine, redis, silentLogger(), prefixes.queue);
  const started = Date.now();
  const summary = await backfill(runtime, reconcileBatch, { batchSize: 100 });
  await timers.close();
  const linked = summary.records.hubspot + summary.records.salesforce;

  const bytesByKind = new Map<string, { keys: number; bytes: number }>();
  let total = 0;
  for (const node of masterNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      for (const key of keys) {
        const bytes = Number((await node.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
        const kind = kindOf(key, prefix);
        const entry = bytesByKind.get(kind) ?? { keys: 0, bytes: 0 };
        entry.keys += 1;
        entry.bytes += bytes;
        bytesByKind.set(kind, entry);
        total += bytes;
      }
      cursor = next;
    } while (cursor !== '0');
  }
  const links = Number(await redis.hlen(`${prefixes.store}:{bench}:links`));
  const perLead = (bytes: number) => Math.round(bytes / Math.max(1, links));
  console.log(
    `backfill of ${hubspotContacts} HubSpot contacts + ${leads - hubspotContacts} Salesforce leads: ` +
      `${linked} records, ${links} leads linked, ${summary.failures.length} per-record failures, ${Date.now() - started} ms`,
  );
  console.log(
    `Redis (${redisUrl.replace(/\/\/[^@]*@/, '//***@')}): ${total} bytes, ${perLead(total)} bytes per lead`,
  );
  for (const [kind, entry] of [...bytesByKind].sort((a, b) => b[1].bytes - a[1].bytes)) {
    console.log(
      `  ${kind.padEnd(16)} ${String(entry.keys).padStart(6)} keys  ${String(perLead(entry.bytes)).padStart(6)} B/lead`,
    );
  }
  console.log(
    JSON.stringify({
      leads: links,
      totalBytes: total,
      bytesPerLead: perLead(total),
      byKind: Object.fromEntries(
        [...bytesByKind].map(([kind, entry]) => [kind, { ...entry, perLead: perLead(entry.bytes) }]),
      ),
    }),
  );
} finally {
  await deleteMatching(redis, `${prefix}:*`);
  await redis.quit();
  await hubspot.close();
  await salesforce.close();
}
