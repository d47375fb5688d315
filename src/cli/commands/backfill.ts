import cliProgress from 'cli-progress';
import { backfill, type BackfillProgress, type BackfillSummary } from '../../../jobs/backfill.ts';
import { withDryRunEngine, type PlannedPatch } from '../../../jobs/dry-run-engine.ts';
import { attachTimerQueue, buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { handToWorkers } from '../../../jobs/hand-to-workers.ts';
import { createReconcileQueue } from '../../../jobs/reconcile-queue.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { UsageError } from '../command-runner.ts';
import { unknownTenantMessage } from '../tenant-selection.ts';
import { EXIT } from '../exit-codes.ts';
import { formatFailures } from './failure-lines.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { tokenBox } from '../token-box.ts';

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
    `leads reconciled: ${summary.leads} (${summary.reconciles} reconcile passes, a lead on both systems' pages counting once per system: ${summary.unchanged} with nothing to write; ${summary.conflicts} conflicts settled by ownership rules)`,
    `written: hubspot ${summary.written.hubspot} (${summary.created.hubspot} created), salesforce ${summary.written.salesforce} (${summary.created.salesforce} created)`,
    ...(summary.handedToWorkers > 0
      ? [
          `handed to the workers: ${summary.handedToWorkers} lead(s) they were changing meanwhile (they reconcile them next)`,
        ]
      : []),
    `failures: ${summary.failures.length}`,
  ];
  lines.push(...formatFailures(summary.failures));
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

/** `42s`, `3m 20s`, `1h 05m`. */
export function formatEta(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** A bar per system on a terminal; plain lines (one per page) otherwise. */
function progressReporter(output: BackfillOutput): {
  update: (progress: BackfillProgress) => void;
  stop: () => void;
} {
  if (output.json) return { update: () => {}, stop: () => {} };
  if (!output.tty) {
    return {
      update: (p) => {
        // The opening report (nothing read yet) is for the bar; plain output starts with the first page.
        if (p.done === 0 && !p.finished) return;
        const of = p.total === null ? '' : ` of ${p.total}`;
        const eta = p.finished || p.etaSeconds === null ? '' : `, about ${formatEta(p.etaSeconds)} left`;
        output.write(`${p.tenant}/${p.system}: ${p.done}${of} records${p.finished ? ', done' : eta}\n`);
      },
      stop: () => {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      format: '{name} [{bar}] {value}/{total} records {state}',
      clearOnComplete: false,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const byName = new Map<string, cliProgress.SingleBar>();
  return {
    update(p) {
      const name = `${p.tenant}/${p.system}`;
      let bar = byName.get(name);
      // The total comes from HubSpot's search total / Salesforce's COUNT(); records created while the
      // backfill runs can push the count past it, so the total never drops below what was read.
      const total = Math.max(p.total ?? p.done + 1, p.done);
      if (!bar) byName.set(name, (bar = bars.create(total, p.done, { name, state: '' })));
      bar.setTotal(p.finished ? p.done : total);
      const state = p.finished
        ? 'done'
        : p.etaSeconds === null
          ? ''
          : `about ${formatEta(p.etaSeconds)} left`;
      bar.update(p.done, { name, state });
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
      `--tenant: ${unknownTenantMessage(
        options.tenant,
        config.tenants.map((t) => t.id),
      )}`,
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
      secretBox: tokenBox(env),
    };
    const backfillOptions = {
      ...(options.tenant ? { tenants: [options.tenant] } : {}),
      restart: options.restart || options.dryRun,
      // --json shows no progress: the backfill then does not ask each system for its total (one call each).
      ...(output.json ? {} : { onProgress: progress.update }),
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
      const reconcileQueue = createReconcileQueue(redis, logger, deps.prefixes.queue);
      summary = await backfill(runtime, reconcileBatch, {
        ...backfillOptions,
        handOver: handToWorkers(runtime, reconcileQueue),
      }).finally(() => Promise.all([timers.close(), reconcileQueue.close()]));
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
