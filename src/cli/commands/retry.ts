import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { createReconcileQueue, scheduleReconcile } from '../../../jobs/reconcile-queue.ts';
import { requeueFailing, type RetryResult } from '../../../jobs/status/retry.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { EXIT } from '../exit-codes.ts';
import type { RuntimeEnv } from '../runtime-env.ts';

/**
 * `leadbridge retry [--code X]`: re-queues every failing record of each tenant (of the config, already
 * narrowed by --tenant) and schedules a reconcile for the workers; `sync --once` picks them up too.
 */
export async function runRetry(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  options: { code?: string | undefined; json: boolean; write: (text: string) => void },
): Promise<number> {
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 2 });
  const prefixes = enginePrefixes(env.redisPrefix);
  const queue = createReconcileQueue(redis, logger, prefixes.queue);
  try {
    const results: RetryResult[] = [];
    for (const { id } of config.tenants) {
      results.push(
        await requeueFailing(redis, prefixes, id, {
          code: options.code,
          now: new Date(),
          schedule: (tenant) => scheduleReconcile(queue, tenant, 0),
        }),
      );
    }
    if (options.json) {
      options.write(`${JSON.stringify({ results }, null, 2)}\n`);
    } else {
      for (const result of results) {
        options.write(
          `${result.tenant}: ${result.requeued.length} record(s) re-queued${options.code ? ` (${options.code})` : ''}${result.skipped.length ? `, ${result.skipped.length} without an id to retry from` : ''}\n`,
        );
      }
      const total = results.reduce((sum, result) => sum + result.requeued.length, 0);
      options.write(
        total > 0
          ? 'the workers reconcile them now (or run `leadbridge sync --once`); `leadbridge status` shows what still fails\n'
          : 'nothing to retry\n',
      );
    }
    return EXIT.ok;
  } finally {
    await closeGracefully(logger, [() => queue.close(), () => redis.quit()], () => redis.disconnect());
  }
}
