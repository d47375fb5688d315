import { Worker, type Processor, type Queue, type WorkerOptions } from 'bullmq';
import type { SecretBox } from '../src/store/secret-box.ts';
import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Metrics } from '../src/metrics/prometheus.ts';
import { JournalOffsetStore } from '../src/store/journal-offsets.ts';
import { closeGracefully, createRedis } from '../src/store/redis.ts';
import type { EngineDeps, ReconcileBatch } from './engine.ts';
import type { FetchLike } from './notify/channels/http-post.ts';
import { buildEngine, enginePrefixes } from './engine-runtime.ts';
import { ingestProcessor } from './ingest-batch.ts';
import { createIngestQueue, type IngestQueue } from './ingest-queue.ts';
import type { PendingRefs } from './pending-refs.ts';
import { journalProcessor } from './journal-processor.ts';
import { createJournalQueue, upsertJournalSchedulers, type JournalQueue } from './journal-queue.ts';
import { pollProcessor } from './poll-processor.ts';
import { createPollQueue, upsertPollSchedulers, type PollQueue } from './poll-queue.ts';
import { DEFAULT_QUEUE_PREFIX } from './queue-names.ts';
import { notifyFromReconcile } from './notify/emit-from-reconcile.ts';
import { notifyProcessor } from './notify/notify-processor.ts';
import { createNotifyQueue, type NotifyQueue } from './notify/notify-queue.ts';
import {
  DEFAULT_RECONCILE_CONCURRENCY,
  DEFAULT_TENANT_BATCHES_PER_PROCESS,
  reconcileProcessor,
} from './reconcile-processor.ts';
import { NotificationOutbox } from '../src/store/notification-outbox.ts';
import { RoundRobinStore } from '../src/store/round-robin-store.ts';
import {
  AddedSlots,
  createReconcileQueue,
  scheduleReconcile,
  type ReconcileQueue,
  type ScheduleOptions,
} from './reconcile-queue.ts';
import { timerProcessor } from './timer-processor.ts';
import { sweepTimers } from './timer-sweep.ts';
import { migrateLedgerIndex } from '../src/store/ledger-leads.ts';
import { createTimerQueue, scheduleTimers, type TimerQueue } from './timer-queue.ts';

export interface WorkerConcurrency {
  /** Ingest jobs at once per process (default 16): Redis work only, a few milliseconds each. */
  ingest?: number;
  /**
   * Reconcile jobs at once per process (default {@link DEFAULT_RECONCILE_CONCURRENCY}, 5): one more than
   * `reconcilePerTenant`, so one busy tenant never holds every slot.
   */
  reconcile?: number;
  /**
   * Batches of one tenant at once per process (default {@link DEFAULT_TENANT_BATCHES_PER_PROCESS}, 4; at
   * most `reconcile`); a tenant runs up to `reconcile.maxParallelBatches` (default 8) across all
   * processes, one per shard, so a second process doubles a busy tenant's batches.
   */
  reconcilePerTenant?: number;
  /** Poll jobs at once per process (default 2). */
  poll?: number;
  /** Timer jobs at once per process (default 8): a ledger read and a pending add each. */
  timers?: number;
  /** Notify jobs at once per process (default 8): owner decisions, deliveries, escalation timers. */
  notify?: number;
}

export interface StartWorkersOptions {
  /** Redis URL (REDIS_URL). */
  redisUrl: string;
  logger: Logger;
  metrics: Metrics;
  reconcileBatch: ReconcileBatch;
  /** Base of every Redis key (default `leadbridge`); see `enginePrefixes`. */
  prefix?: string;
  concurrency?: WorkerConcurrency;
  /** Seals the Salesforce tokens kept in Redis (LEADBRIDGE_SECRET_KEY). */
  secretBox?: SecretBox | undefined;
  /** Upsert the poll job schedulers at start (default true). */
  schedulePolls?: boolean;
  now?: () => Date;
  /** HTTP for webhook and Slack notifications (tests; default the global fetch). */
  fetch?: FetchLike;
}

export interface EngineWorkers {
  redis: Redis;
  engine: EngineDeps;
  pending: PendingRefs;
  queues: {
    ingest: IngestQueue;
    reconcile: ReconcileQueue;
    poll: PollQueue;
    journal: JournalQueue;
    timers: TimerQueue;
    notify: NotifyQueue;
  };
  workers: Worker[];
  /** Waits for running jobs (`worker.close()`), then closes the queues, then Redis. */
  close(): Promise<void>;
}

/**
 * Starts the ingest, reconcile and poll workers on one Redis connection (`maxRetriesPerRequest: null`;
 * BullMQ duplicates it for each worker's blocking connection), with an `error` listener on everything,
 * the poll schedulers upserted, and a reconcile scheduled for every tenant that still has pending
 * records (work left by a previous process).
 */
export async function startWorkers(
  config: LeadBridgeConfig,
  options: StartWorkersOptions,
): Promise<EngineWorkers> {
  const { logger } = options;
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
  const prefixes = enginePrefixes(prefix);
  const redis = createRedis(options.redisUrl, logger);
  const { engine, pending } = buildEngine(config, {
    redis,
    logger,
    metrics: options.metrics,
    prefixes,
    secretBox: options.secretBox,
    ...(options.now ? { now: options.now } : {}),
  });
  const queues = {
    ingest: createIngestQueue(redis, logger, prefixes.queue),
    reconcile: createReconcileQueue(redis, logger, prefixes.queue),
    poll: createPollQueue(redis, logger, prefixes.queue),
    journal: createJournalQueue(redis, logger, prefixes.queue),
    timers: createTimerQueue(redis, logger, prefixes.queue),
    notify: createNotifyQueue(redis, logger, prefixes.queue),
  };
  engine.notify = notifyFromReconcile(queues.notify, config, logger);
  // One process's memory of the delayed jobs it added: a mass change's events ask for each slot's job once.
  const added = new AddedSlots();
  const schedule = (tenant: string, delayMs: number, scheduleOptions?: ScheduleOptions) =>
    scheduleReconcile(queues.reconcile, tenant, delayMs, scheduleOptions, added);
  engine.timers = {
    schedule: (tenant, timers) => scheduleTimers(queues.timers, tenant, timers, engine.now().getTime()),
  };
  const concurrency = options.concurrency ?? {};

  const workers: Worker[] = [];
  // A worker takes its queue's own key prefix (jobs/queue-names.ts `queuePrefix`, hash-tagged per queue).
  const start = (queue: Queue, processor: Processor, extra: Pick<WorkerOptions, 'concurrency'>) => {
    const name = queue.name;
    const worker = new Worker(name, processor, { connection: redis, prefix: queue.opts.prefix, ...extra });
    worker.on('error', (error) => logger.warn({ err: error, queue: name }, 'worker error'));
    worker.on('failed', (job, error) =>
      logger.warn({ err: error, queue: name, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed'),
    );
    workers.push(worker);
  };
  start(queues.ingest, ingestProcessor({ engine, pending, schedule }), {
    concurrency: concurrency.ingest ?? 16,
  });
  start(
    queues.reconcile,
    reconcileProcessor({
      engine,
      pending,
      reconcileBatch: options.reconcileBatch,
      schedule,
      perTenant: Math.min(
        concurrency.reconcilePerTenant ?? DEFAULT_TENANT_BATCHES_PER_PROCESS,
        concurrency.reconcile ?? DEFAULT_RECONCILE_CONCURRENCY,
      ),
    }),
    { concurrency: concurrency.reconcile ?? DEFAULT_RECONCILE_CONCURRENCY },
  );
  start(queues.timers, timerProcessor({ engine, pending, schedule }), {
    concurrency: concurrency.timers ?? 8,
  });
  start(
    queues.notify,
    notifyProcessor({
      engine,
      outbox: new NotificationOutbox(redis, { prefix: prefixes.store }),
      roundRobin: new RoundRobinStore(redis, { prefix: prefixes.store }),
      queue: queues.notify,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    { concurrency: concurrency.notify ?? 8 },
  );
  start(queues.poll, pollProcessor({ engine, ingestQueue: queues.ingest, pollQueue: queues.poll }), {
    concurrency: concurrency.poll ?? 2,
  });

  start(
    queues.journal,
    journalProcessor({
      engine,
      offsets: new JournalOffsetStore(redis, { prefix: prefixes.store }),
      ingestQueue: queues.ingest,
      journalQueue: queues.journal,
      pollQueue: queues.poll,
    }),
    { concurrency: 1 },
  );

  const close = () =>
    closeGracefully(
      logger,
      [
        () => Promise.all(workers.map((worker) => worker.close())),
        () => Promise.all(Object.values(queues).map((queue) => queue.close())),
        () => redis.quit(),
      ],
      () => redis.disconnect(),
    );
  try {
    if (options.schedulePolls ?? true) {
      await upsertPollSchedulers(queues.poll, config);
      await upsertJournalSchedulers(queues.journal, config);
    }
    for (const tenant of config.tenants) {
      const moved = await migrateLedgerIndex(redis, prefixes.store, tenant.id);
      if (moved > 0)
        logger.info({ tenant: tenant.id, entries: moved }, 'ledger index upgraded to a set of leads');
    }
    for (const tenant of config.tenants) {
      const stray = await pending.gatherStrayShards(tenant.id, engine.now().getTime());
      if (stray.moved > 0 || stray.stillClaimed > 0)
        logger.info(
          { tenant: tenant.id, moved: stray.moved, stillClaimed: stray.stillClaimed },
          'pending records moved from shards beyond tenants[].reconcile.shards',
        );
    }
    const swept = await sweepTimers(engine, redis, prefixes.store);
    if (swept > 0) logger.info({ deadlines: swept }, 'open deadlines scheduled');
    for (const tenant of config.tenants) {
      for (const [shard, due] of (await pending.dueByShard(tenant.id)).entries()) {
        const nowMs = engine.now().getTime();
        if (due.pending !== null) await schedule(tenant.id, due.pending - nowMs, { shard });
        if (due.leaseEnds !== null)
          await schedule(tenant.id, due.leaseEnds - nowMs, { shard, recovery: true });
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  logger.info({ tenants: config.tenants.map((tenant) => tenant.id), prefix }, 'leadbridge workers started');
  return { redis, engine, pending, queues, workers, close };
}
