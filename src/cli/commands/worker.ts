import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { startWorkers, type EngineWorkers, type WorkerConcurrency } from '../../../jobs/workers.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { tokenBox } from '../token-box.ts';

/**
 * Starts the BullMQ workers (ingest, reconcile, poll) against `REDIS_URL`, with the real reconcile
 * engine; resolves once they run. Several processes on several machines may do this against one Redis.
 */
export function startEngineWorkers(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  options: { metrics?: Metrics; concurrency?: WorkerConcurrency } = {},
): Promise<EngineWorkers> {
  return startWorkers(config, {
    redisUrl: env.redisUrl,
    logger,
    metrics: options.metrics ?? new Metrics(),
    reconcileBatch,
    prefix: env.redisPrefix,
    secretBox: tokenBox(env, logger),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
}
