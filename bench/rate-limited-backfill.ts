import { Redis } from 'ioredis';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { startHubSpotEmulator } from '../connectors/hubspot/emulator/index.ts';
import type { SystemRecord } from '../connectors/types.ts';
import { parseConfig } from '../src/config/load.ts';
import { RedisRateLimiter } from '../src/store/rate-limiter.ts';

/**
 * A HubSpot backfill at the portal's burst limit, as several worker processes run it: one reader lists
 * every page (100 contacts each) while `workers` writers, each with a Redis connection of its own and one
 * shared limiter, write each page back as one batch update. The emulator enforces the burst limit the way
 * HubSpot does, so this counts the 429s the limiter let through and the wall time against the bound that
 * the rate itself sets (calls made / calls allowed per second).
 *
 * Used by the limiter's integration test (call counts, 0 429s) and by `npm run bench` (wall-time ratio);
 * timing is never asserted in a test.
 */
export interface RateLimitedBackfillOptions {
  /** Contacts seeded in the emulator (the figure: 10,000). */
  contacts: number;
  /** The portal's burst limit, set both in the emulator and in the tenant's config (`burstLimitPer10s`). */
  burstPer10s: number;
  /** Concurrent writers standing for worker processes (default 3). */
  workers?: number;
  /** Redis URL (default REDIS_URL or 127.0.0.1:6379). */
  redisUrl?: string;
  /** Latency the emulator adds to every call, in milliseconds (default 0). */
  latencyMs?: number;
  /** The tenant's `hubspot.rateLimitMargin` (default: the config's own default). */
  rateLimitMargin?: number;
}

export interface RateLimitedBackfillResult {
  contacts: number;
  burstPer10s: number;
  /** Every HubSpot call the emulator answered, by endpoint and status. */
  callsByEndpoint: Record<string, Record<string, number>>;
  /** Calls answered 2xx. */
  succeeded: number;
  /** Calls answered 429, whatever the policy. */
  rateLimited: number;
  /** List-page calls (`GET .../contacts`) and batch-update calls that succeeded. */
  listCalls: number;
  writeCalls: number;
  wallMs: number;
  /** The fastest the rate allows: `succeeded` calls at `burstPer10s / 10 s`. */
  boundMs: number;
  /** wallMs / boundMs (target ≤ 1.2). */
  ratio: number;
}

function callsOf(calls: Map<string, Map<number, number>>, match: RegExp, status?: (s: number) => boolean) {
  let total = 0;
  for (const [endpoint, byStatus] of calls)
    if (match.test(endpoint)) for (const [s, n] of byStatus) if (!status || status(s)) total += n;
  return total;
}

export async function runRateLimitedBackfill(
  options: RateLimitedBackfillOptions,
): Promise<RateLimitedBackfillResult> {
  const workers = options.workers ?? 3;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `lbbench-ratelimit-${process.pid}-${Date.now()}`;
  const emulator = await startHubSpotEmulator({
    port: 0,
    seed: 11,
    contacts: 0,
    webhookApiChanges: false,
    faults: { burstPer10s: 0, searchPerSecond: 0, latencyMs: options.latencyMs ?? 0 },
  });
  const connections = Array.from(
    { length: workers },
    () => new Redis(redisUrl, { maxRetriesPerRequest: null }),
  );
  try {
    const seeded = await fetch(`${emulator.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: options.contacts }),
    });
    if (!seeded.ok) throw new Error(`seed: ${seeded.status} ${await seeded.text()}`);
    const margin =
      options.rateLimitMargin === undefined ? '' : `, rateLimitMargin: ${options.rateLimitMargin}`;
    const config = parseConfig(
      `tenants: [{ id: bench, hubspot: { accessToken: t, baseUrl: "${emulator.url}", burstLimitPer10s: ${options.burstPer10s}${margin} }, salesforce: { orgId: 00D000000000000AAA, accessToken: t, instanceUrl: "https://x.example" } }]`,
      {},
    );
    const connectors = connections.map(
      (redis) =>
        new HubSpotConnector(config.tenants[0]!, config, {
          limiter: new RedisRateLimiter(redis, { prefix }),
        }),
    );
    // The limit goes on only now: seeding and setup are not part of the backfill.
    const faults = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ burstPer10s: options.burstPer10s }),
    });
    if (!faults.ok) throw new Error(`faults: ${faults.status} ${await faults.text()}`);
    emulator.calls.clear();

    const started = performance.now();
    const pages: SystemRecord[][] = [];
    let listed = false;
    let failure: unknown;
    const reader = (async () => {
      try {
        for (let after: string | null = null, first = true; first || after !== null; first = false) {
          const page = await connectors[0]!.backfill(after);
          pages.push(page.records);
          after = page.after;
        }
      } finally {
        listed = true;
      }
    })();
    const writer = async (connector: HubSpotConnector) => {
      for (;;) {
        const page = pages.shift();
        if (!page) {
          if (listed || failure) return;
          await new Promise((resolve) => setTimeout(resolve, 2));
          continue;
        }
        const outcomes = await connector.write(
          page.map((record) => ({ id: record.id, fields: { title: 'Backfilled' } })),
        );
        const refused = outcomes.find((outcome) => !outcome.ok);
        if (refused) throw new Error(`write refused: ${JSON.stringify(refused)}`);
      }
    };
    await Promise.all([
      reader.catch((err: unknown) => {
        failure = err;
        throw err;
      }),
      ...connectors.map(writer),
    ]);
    const wallMs = performance.now() - started;

    const all = /./;
    const succeeded = callsOf(emulator.calls, all, (s) => s >= 200 && s < 300);
    const boundMs = (succeeded / (options.burstPer10s / 10)) * 1000;
    return {
      contacts: options.contacts,
      burstPer10s: options.burstPer10s,
      callsByEndpoint: Object.fromEntries(
        [...emulator.calls].map(([endpoint, byStatus]) => [
          endpoint,
          Object.fromEntries([...byStatus].map(([s, n]) => [String(s), n])),
        ]),
      ),
      succeeded,
      rateLimited: callsOf(emulator.calls, all, (s) => s === 429),
      listCalls: callsOf(emulator.calls, /^GET \S+\/contacts$/, (s) => s === 200),
      writeCalls: callsOf(emulator.calls, /\/contacts\/batch\/update$/, (s) => s === 200),
      wallMs,
      boundMs,
      ratio: wallMs / boundMs,
    };
  } finally {
    const keys = await connections[0]!.keys(`${prefix}:*`);
    if (keys.length > 0) await connections[0]!.del(...keys);
    await Promise.all(connections.map((redis) => redis.quit()));
    await emulator.close();
  }
}

/** `node bench/rate-limited-backfill.ts [contacts] [burstPer10s]`: one run, printed as JSON. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runRateLimitedBackfill({
    contacts: Number(process.argv[2] ?? 10_000),
    burstPer10s: Number(process.argv[3] ?? 190),
  });
  console.log(JSON.stringify({ ...result, callsByEndpoint: undefined }, null, 2));
}
