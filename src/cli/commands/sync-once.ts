import { attachTimerQueue, buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { syncOnce, type SyncOnceSummary } from '../../../jobs/sync-once.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { EXIT } from '../exit-codes.ts';
import { formatFailures } from './failure-lines.ts';
import { tokenBox } from '../token-box.ts';
import type { RuntimeEnv } from '../runtime-env.ts';

/** The closing summary of `sync --once`, for people. */
export function formatSummary(summary: SyncOnceSummary): string {
  const polled = summary.polls
    .map((poll) => `${poll.tenant}/${poll.system} ${poll.records} changed, ${poll.deleted} deleted`)
    .join('; ');
  const lines = [
    `polled: ${polled || 'nothing'}`,
    `leads reconciled: ${summary.leads} (${summary.reconciles} reconcile passes: ${summary.unchanged} with nothing to write; ${summary.conflicts} conflicts settled by ownership rules)`,
    `written: hubspot ${summary.written.hubspot} (${summary.created.hubspot} created), salesforce ${summary.written.salesforce} (${summary.created.salesforce} created)`,
    `failures: ${summary.failures.length}`,
  ];
  lines.push(...formatFailures(summary.failures));
  return lines.join('\n');
}

/** One poll-and-reconcile pass of every tenant; exit code 0 when every record synced, 1 otherwise. */
export async function runSyncOnce(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  output: { json: boolean; write: (text: string) => void },
): Promise<number> {
  // A one-shot command must fail when Redis is down, not wait for it forever as the workers do.
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 2 });
  try {
    const prefixes = enginePrefixes(env.redisPrefix);
    const runtime = buildEngine(config, {
      redis,
      logger,
      metrics: new Metrics({ collectDefaults: false }),
      prefixes,
      secretBox: tokenBox(env),
    });
    const timers = attachTimerQueue(runtime.engine, redis, logger, prefixes.queue);
    const summary = await syncOnce(runtime, reconcileBatch).finally(() => timers.close());
    output.write(`${output.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)}\n`);
    return summary.failures.length === 0 ? EXIT.ok : EXIT.failure;
  } finally {
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect());
  }
}
