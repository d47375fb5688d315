import { Redis } from 'ioredis';
import type { TenantConnectors } from '../../../connectors/index.ts';
import type { RecordRef, ReconcileBatch, ReconcileBatchResult } from '../../../jobs/engine.ts';
import { buildEngine, enginePrefixes, type EngineRuntime } from '../../../jobs/engine-runtime.ts';
import type { PendingRef } from '../../../jobs/pending-refs.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { deleteKeys } from '../../helpers/emulators.ts';

export { deleteKeys } from '../../helpers/emulators.ts';

export const TENANT = 'acme';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A config whose connectors point nowhere: these tests replace them or never reach them. */
export function testConfig(debounce = '200ms'): LeadBridgeConfig {
  return parseConfig(
    `
tenants:
  - id: ${TENANT}
    hubspot: { accessToken: test-token, baseUrl: http://127.0.0.1:9 }
    salesforce:
      instanceUrl: http://127.0.0.1:9
      accessToken: test-token
      orgId: 00D5g000004LBdgEAG
sync: { debounce: ${debounce}, pollInterval: 1h }
`,
    {},
  );
}

/** A unique key base per test file and run (deleteKeys removes every key under it). */
export function uniquePrefix(name: string): string {
  return `lbtest-engine-${name}-${process.pid}-${Date.now()}`;
}

/** Deletes every key under `prefix` over a connection of its own (for suites whose workers own theirs). */
export async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
}

export interface EngineHarness extends EngineRuntime {
  redis: Redis;
  prefix: string;
  config: LeadBridgeConfig;
  close(): Promise<void>;
}

/** The engine's stores on real Redis under a prefix of its own. */
export function startEngineHarness(name: string, config = testConfig()): EngineHarness {
  const prefix = uniquePrefix(name);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const runtime = buildEngine(config, {
    redis,
    logger: silentLogger(),
    metrics: new Metrics({ collectDefaults: false }),
    prefixes: enginePrefixes(prefix),
  });
  return {
    ...runtime,
    redis,
    prefix,
    config,
    async close() {
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

/** Replaces a tenant's connectors with test doubles (only the methods a test uses need to exist). */
export function useConnectors(
  runtime: EngineRuntime,
  connectors: Partial<Record<keyof TenantConnectors, unknown>>,
) {
  runtime.engine.connectors.set(TENANT, connectors as unknown as TenantConnectors);
}

export function emptyResult(tenant: string, refs: RecordRef[]): ReconcileBatchResult {
  return {
    tenant,
    leads: refs.length,
    unchanged: refs.length,
    written: { hubspot: 0, salesforce: 0 },
    created: { hubspot: 0, salesforce: 0 },
    conflicts: 0,
    failures: [],
  };
}

/** A ReconcileBatch that records its calls and answers from `behave` (default: nothing to write). */
export function recordingBatch(
  behave: (refs: PendingRef[], call: number) => Promise<ReconcileBatchResult | void> = async () => {},
): ReconcileBatch & { calls: PendingRef[][] } {
  const calls: PendingRef[][] = [];
  const batch = async (_deps: unknown, tenant: string, refs: RecordRef[]) => {
    calls.push(refs.map((ref) => ({ ...ref })));
    return (await behave(refs, calls.length)) ?? emptyResult(tenant, refs);
  };
  return Object.assign(batch, { calls });
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
