import cliProgress from 'cli-progress';
import { backfill, type BackfillProgress, type BackfillSummary } from '../../../jobs/backfill.ts';
import { withDryRunEngine, type PlannedPatch } from '../../../jobs/dry-run-engine.ts';
import { attachTimerQueue, buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { UsageError } from '../command-runner.ts';
import { EXIT } from '../exit-codes.ts';
import type { RuntimeEnv } from '../runtime-env.ts';

/** Failures listed one per line in the text summary; the rest are counted. */
const FAILURES_SHOWN = 20;

export interface BackfillOutput {
  json: boolean;
  tty: boolean;
  write: (text: string) => void;
}

/** The closing summary, for people. */
export function formatBackfillSummary(summary: BackfillSummary): string {
  const lines = [
    `read: hubspot ${summary.records.hubspot} contacts, salesforce ${summary.records.salesforce} leads`,
    ...summary.resumed.map(
      (resumed) =>
        `resumed: ${resumed.tenant}/${resumed.system} from its checkpoint (${resumed.processed} done before)`,
    ),
    `leads reconciled: ${summary.leads} (${summary.unchanged} unchanged, ${summary.conflicts} conflicts settled by ownership rules)`,
    `written: hubspot ${summary.written.hubspot} (${summary.created.hubspot} created), salesforce ${summary.written.salesforce} (${summary.created.salesforce} created)`,
    `failures: ${summary.failures.length}`,
  ];
  for (const failure of summary.failures.slice(0, FAILURES_SHOWN)) {
    const record = failure.recordId ?? failure.leadKey ?? '(whole page)';
    lines.push(`  ${failure.tenant} ${failure.system} ${record} ${failure.code}: ${failure.message}`);
  }
  if (summary.failures.length > FAILURES_SHOWN)
    lines.push(`  ... and ${summary.failures.length - FAILURES_SHOWN} more (see the logs)`);
  if (!summary.complete) lines.push('not finished: run `leadbridge backfill` again to resume');
  return lines.join('\n');
}

/** One line per patch a dry run would write: `tenant system id|create: field=value, ...`. */
export function formatPlanned(planned: PlannedPatch[]): string {
  return planned
    .map((patch) => {
      const fields = Object.entries(patch.fields)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(', ');
      return `would write ${patch.tenant} ${patch.system} ${patch.recordId ?? 'create'}: ${fields}`;
    })
    .join('\n');
}

/** A bar per system on a terminal; plain lines (one per page) otherwise. */
function progressReporter(output: BackfillOutput): {
  update: (progress: BackfillProgress) => void;
  stop: () => void;
} {
  if (output.json) return { update: () => {}, stop: () => {} };
  if (!output.tty) {
    return {
      update: (p) =>
        output.write(`${p.tenant}/${p.system}: ${p.done} records${p.finished ? ', done' : ''}\n`),
      stop: () => {},
    };
  }
  const bars = new cliProgress.MultiBar(
    { format: '{name} [{bar}] {value} records {state}', clearOnComplete: false, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const byName = new Map<string, cliProgress.SingleBar>();
  return {
    update(p) {
      const name = `${p.tenant}/${p.system}`;
      let bar = byName.get(name);
      // The total is unknown until the last page (the list endpoint gives none): it grows with the count.
      if (!bar) byName.set(name, (bar = bars.create(p.done + 1, p.done, { name, state: '' })));
      bar.setTotal(p.finished ? p.done : p.done + 1);
      bar.update(p.done, { name, state: p.finished ? 'done' : '' });
    },
    stop: () => bars.stop(),
  };
}

/**
 * `leadbridge backfill`: the first full sync of every tenant (or `tenant`), resumable; `dryRun` prints
 * the patches it would write and writes nothing. Exit 0 when every record synced, 1 otherwise.
 */
export async function runBackfill(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  options: { tenant?: string; restart: boolean; dryRun: boolean },
  output: BackfillOutput,
): Promise<number> {
  if (options.tenant && !config.tenants.some((tenant) => tenant.id === options.tenant)) {
    throw new UsageError(
      `no tenant "${options.tenant}" in the config (tenants: ${config.tenants.map((t) => t.id).join(', ')})`,
    );
  }
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 2 });
  const progress = progressReporter(output);
  try {
    const deps = {
      redis,
      logger,
      metrics: new Metrics({ collectDefaults: false }),
      prefixes: enginePrefixes(env.redisPrefix),
    };
    const backfillOptions = {
      ...(options.tenant ? { tenants: [options.tenant] } : {}),
      restart: options.restart || options.dryRun,
      onProgress: progress.update,
    };
    let summary: BackfillSummary;
    let planned: PlannedPatch[] | null = null;
    if (options.dryRun) {
      const run = await withDryRunEngine(config, deps, (runtime) =>
        backfill(runtime, reconcileBatch, backfillOptions),
      );
      summary = run.result;
      planned = run.planned;
    } else {
      const runtime = buildEngine(config, deps);
      // The deadlines backfilled leads open (handoffs made now) fire later in the workers.
      const timers = attachTimerQueue(runtime.engine, redis, logger, deps.prefixes.queue);
      summary = await backfill(runtime, reconcileBatch, backfillOptions).finally(() => timers.close());
    }
    progress.stop();
    if (output.json) {
      output.write(`${JSON.stringify(planned ? { ...summary, planned } : summary, null, 2)}\n`);
    } else {
      if (planned) output.write(`${planned.length ? formatPlanned(planned) : 'nothing to write'}\n`);
      const text = formatBackfillSummary(summary);
      output.write(`${planned ? `dry run, nothing written; it would have done:\n${text}` : text}\n`);
    }
    return summary.failures.length === 0 && summary.complete ? EXIT.ok : EXIT.failure;
  } finally {
    progress.stop();
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect());
  }
}
