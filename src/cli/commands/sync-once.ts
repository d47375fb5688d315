import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { runSyncOncePass, type SyncOnceRunSummary } from '../../../jobs/sync-once-run.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { EXIT } from '../exit-codes.ts';
import { formatFailures } from './failure-lines.ts';
import { tokenBox } from '../token-box.ts';
import type { RuntimeEnv } from '../runtime-env.ts';

/** The closing summary of `sync --once`, for people. */
export function formatSummary(summary: SyncOnceRunSummary): string {
  const polled = summary.polls
    .map((poll) => `${poll.tenant}/${poll.system} ${poll.records} changed, ${poll.deleted} deleted`)
    .join('; ');
  const lines = [
    `polled: ${polled || 'nothing'}`,
    `leads reconciled: ${summary.leads} (${summary.reconciles} reconcile passes: ${summary.unchanged} with nothing to write; ${summary.conflicts} conflicts settled by ownership rules)`,
    `written: hubspot ${summary.written.hubspot} (${summary.created.hubspot} created), salesforce ${summary.written.salesforce} (${summary.created.salesforce} created)`,
    `deadline jobs run: ${summary.timersRun}; notification jobs run: ${summary.notifyJobsRun}`,
    `failures: ${summary.failures.length}`,
  ];
  lines.push(...formatFailures(summary.failures));
  return lines.join('\n');
}

/**
 * One pass of every tenant, complete in itself (cron installs run no worker): due deadlines, poll and
 * reconcile, then the notifications ready now; exit code 0 when every record synced, 1 otherwise.
 */
export async function runSyncOnce(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  output: { json: boolean; write: (text: string) => void },
): Promise<number> {
  // A one-shot command must fail when Redis is down, not wait for it forever as the workers do.
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 2 });
  try {
    const summary = await runSyncOncePass(config, {
      redis,
      redisUrl: env.redisUrl,
      logger,
      metrics: new Metrics({ collectDefaults: false }),
      prefix: env.redisPrefix,
      secretBox: tokenBox(env),
      reconcileBatch,
    });
    output.write(`${output.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)}\n`);
    return summary.failures.length === 0 ? EXIT.ok : EXIT.failure;
  } finally {
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect());
  }
}
