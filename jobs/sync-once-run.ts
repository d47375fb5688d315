import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Metrics } from '../src/metrics/prometheus.ts';
import { NotificationOutbox } from '../src/store/notification-outbox.ts';
import { closeGracefully, createRedis } from '../src/store/redis.ts';
import { RoundRobinStore } from '../src/store/round-robin-store.ts';
import type { SecretBox } from '../src/store/secret-box.ts';
import { drainReady } from './drain-queue.ts';
import type { ReconcileBatch } from './engine.ts';
import { attachTimerQueue, buildEngine, enginePrefixes } from './engine-runtime.ts';
import type { FetchLike } from './notify/channels/http-post.ts';
import { notifyFromReconcile } from './notify/emit-from-reconcile.ts';
import { notifyProcessor } from './notify/notify-processor.ts';
import { createNotifyQueue } from './notify/notify-queue.ts';
import { syncOnce, type SyncOnceOptions, type SyncOnceSummary } from './sync-once.ts';
import { timerProcessor } from './timer-processor.ts';

export interface SyncOnceRunOptions extends SyncOnceOptions {
  /** The pass's connection (a one-shot command fails fast: `maxRetriesPerRequest` set). */
  redis: Redis;
  /** For the short-lived workers' own connection (`maxRetriesPerRequest: null`, as BullMQ asks). */
  redisUrl: string;
  logger: Logger;
  metrics: Metrics;
  /** Base of every Redis key (default `leadbridge`). */
  prefix?: string;
  secretBox?: SecretBox | undefined;
  reconcileBatch: ReconcileBatch;
  now?: () => Date;
  /** HTTP for webhook and Slack notifications (tests; default the global fetch). */
  fetch?: FetchLike;
  /** Longest each queue is drained (default 30 s). */
  drainLimitMs?: number;
}

export interface SyncOnceRunSummary extends SyncOnceSummary {
  /** Deadline jobs that fell due since the last run and ran in this one. */
  timersRun: number;
  /** Notify jobs (owner steps, deliveries, escalations) that ran in this one. */
  notifyJobsRun: number;
}

/**
 * `sync --once` complete in itself, for cron installs with no `leadbridge worker`: runs the deadline
 * jobs already due (their leads go back on the pending set), then the poll-and-reconcile pass (which
 * queues the pass's notifications through the same hook and job ids as the workers, and schedules new
 * deadlines), then the notify jobs ready now. Jobs delayed into the future stay for a later run or a
 * worker; a worker running elsewhere and this run never do the same job twice (deterministic job ids).
 */
export async function runSyncOncePass(
  config: LeadBridgeConfig,
  options: SyncOnceRunOptions,
): Promise<SyncOnceRunSummary> {
  const { redis, logger } = options;
  const prefixes = enginePrefixes(options.prefix);
  const runtime = buildEngine(config, {
    redis,
    logger,
    metrics: options.metrics,
    prefixes,
    secretBox: options.secretBox,
    ...(options.now ? { now: options.now } : {}),
  });
  const { engine, pending } = runtime;
  const timers = attachTimerQueue(engine, redis, logger, prefixes.queue);
  const notify = createNotifyQueue(redis, logger, prefixes.queue);
  engine.notify = notifyFromReconcile(notify, config, logger);
  const workerRedis = createRedis(options.redisUrl, logger);
  const drain = {
    connection: workerRedis,
    logger,
    ...(options.drainLimitMs ? { limitMs: options.drainLimitMs } : {}),
  };
  try {
    // The pass below reconciles every pending lead, so a fired timer needs no reconcile scheduled.
    const timersRun = await drainReady(
      timers,
      timerProcessor({ engine, pending, schedule: async () => {} }),
      drain,
    );
    const summary = await syncOnce(runtime, options.reconcileBatch, options);
    const notifyJobsRun = await drainReady(
      notify,
      notifyProcessor({
        engine,
        outbox: new NotificationOutbox(redis, { prefix: prefixes.store }),
        roundRobin: new RoundRobinStore(redis, { prefix: prefixes.store }),
        queue: notify,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      drain,
    );
    return { ...summary, timersRun, notifyJobsRun };
  } finally {
    await closeGracefully(
      logger,
      [() => Promise.all([timers.close(), notify.close()]), () => workerRedis.quit()],
      () => workerRedis.disconnect(),
    );
  }
}
