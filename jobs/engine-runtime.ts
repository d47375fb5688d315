import { ParkedWrites } from '../src/store/parked-writes.ts';
import { WrittenValues } from '../src/store/written-values.ts';
import { durationMs } from '../src/domain/duration.ts';
import type { Redis } from 'ioredis';
import { createConnectors } from '../connectors/index.ts';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Metrics } from '../src/metrics/prometheus.ts';
import type { SecretBox } from '../src/store/secret-box.ts';
import { AuditTrail } from '../src/store/audit-trail.ts';
import { CursorStore } from '../src/store/cursors.ts';
import { LeadLinks } from '../src/store/lead-links.ts';
import { LeadLedger } from '../src/store/lead-ledger.ts';
import { SyncState } from '../src/store/sync-state.ts';
import { SyncHealth } from '../src/store/sync-health.ts';
import type { EngineDeps } from './engine.ts';
import { PendingRefs, type TenantSharding } from './pending-refs.ts';
import { DEFAULT_QUEUE_PREFIX } from './queue-names.ts';
import { createTimerQueue, scheduleTimers, type TimerQueue } from './timer-queue.ts';

/** Where each part keeps its Redis keys, all derived from one base so a test or a second install is isolated. */
export interface EnginePrefixes {
  /** BullMQ key prefix (`<base>`). */
  queue: string;
  /** State layer: links, sync state, cursors, audit trail, pending sets (`<base>:store`). */
  store: string;
  /** Connectors: rate limits, Salesforce sessions and budget (`<base>:`). */
  connectors: string;
}

/** The prefixes of a base (env LEADBRIDGE_REDIS_PREFIX; default `leadbridge`, the stores' own defaults). */
export function enginePrefixes(base = DEFAULT_QUEUE_PREFIX): EnginePrefixes {
  return { queue: base, store: `${base}:store`, connectors: `${base}:` };
}

export interface EngineRuntime {
  engine: EngineDeps;
  pending: PendingRefs;
}

/** Each tenant's shards and batch cap from the config (one shard for a tenant the config lacks). */
export function tenantSharding(config: LeadBridgeConfig): (tenant: string) => TenantSharding {
  return (tenant) => {
    const reconcile = config.tenants.find((entry) => entry.id === tenant)?.reconcile;
    return reconcile
      ? { shards: reconcile.shards, maxParallelBatches: reconcile.maxParallelBatches }
      : { shards: 1, maxParallelBatches: 0 };
  };
}

/** Builds the engine's dependencies over one Redis connection: the stores and every tenant's connectors. */
export function buildEngine(
  config: LeadBridgeConfig,
  deps: {
    redis: Redis;
    logger: Logger;
    metrics: Metrics;
    prefixes: EnginePrefixes;
    now?: () => Date;
    /** Seals the Salesforce tokens kept in Redis (LEADBRIDGE_SECRET_KEY). */
    secretBox?: SecretBox | undefined;
  },
): EngineRuntime {
  const { redis, logger, metrics, prefixes } = deps;
  const store = { prefix: prefixes.store };
  const links = new LeadLinks(redis, store);
  const engine: EngineDeps = {
    config,
    connectors: createConnectors(config, {
      redis,
      keyPrefix: prefixes.connectors,
      recorder: metrics,
      logger,
      secretBox: deps.secretBox,
    }),
    links,
    state: new SyncState(redis, store),
    ledger: new LeadLedger(redis, store),
    cursors: new CursorStore(redis, store),
    audit: new AuditTrail(redis, links, store),
    health: new SyncHealth(redis, store),
    metrics,
    logger,
    now: deps.now ?? (() => new Date()),
    parked: new ParkedWrites(redis, store),
    written: new WrittenValues(redis, store),
  };
  return {
    engine,
    pending: new PendingRefs(redis, {
      ...store,
      leaseMs: durationMs(config.sync.claimLease),
      sharding: tenantSharding(config),
    }),
  };
}

/**
 * Lets a one-shot process (`sync --once`, `backfill`) schedule the deadlines its passes open, as delayed
 * jobs the workers run later. Returns the queue, to close when done. Not for dry runs.
 */
export function attachTimerQueue(
  engine: EngineDeps,
  redis: Redis,
  logger: Logger,
  queuePrefix: string,
): TimerQueue {
  const queue = createTimerQueue(redis, logger, queuePrefix);
  engine.timers = {
    schedule: (tenant, timers) => scheduleTimers(queue, tenant, timers, engine.now().getTime()),
  };
  return queue;
}
