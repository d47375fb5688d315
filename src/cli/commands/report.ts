import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import { Duration, durationMs } from '../../domain/duration.ts';
import type { ReportPeriod } from '../../domain/report-schema.ts';
import type { Logger } from '../../log/logger.ts';
import { loadReport } from '../../store/report-leads.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { UsageError } from '../command-runner.ts';
import { unknownTenantMessage } from '../tenant-selection.ts';
import { EXIT } from '../exit-codes.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { formatReport } from './report-format.ts';

export interface ReportOptions {
  /** Only this tenant (its id in the config). */
  tenant?: string | undefined;
  /** Only leads handed off (or rejected) within this duration before now, e.g. `30d`. */
  since?: string | undefined;
  /** `handoff` (default) or `event`: how `since` selects. */
  cohort?: string | undefined;
  now?: Date;
}

/** The tenants to report on; an id that is not configured is a usage error naming the ones that are. */
export function selectTenants(config: LeadBridgeConfig, tenant: string | undefined): string[] {
  const ids = config.tenants.map((entry) => entry.id);
  if (tenant === undefined) return ids;
  if (!ids.includes(tenant)) {
    throw new UsageError(`--tenant: ${unknownTenantMessage(tenant, ids)}`);
  }
  return [tenant];
}

/** `--since 30d` as a period ending now; a malformed duration is a usage error. */
export function periodSince(since: string | undefined, now: Date): ReportPeriod | undefined {
  if (since === undefined) return undefined;
  const parsed = Duration.safeParse(since);
  if (!parsed.success) throw new UsageError(`--since ${since}: expected a duration such as 7d, 24h or 4w`);
  return { from: new Date(now.getTime() - durationMs(parsed.data)).toISOString(), to: now.toISOString() };
}

/** `leadbridge report`: prints the report (as JSON with `json`); exit code 0. */
export async function runReport(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  output: ReportOptions & { json: boolean; write: (text: string) => void },
): Promise<number> {
  // Arguments are checked before connecting, so a typo exits 2 at once even when Redis is down.
  const now = output.now ?? new Date();
  const tenants = selectTenants(config, output.tenant);
  const period = periodSince(output.since, now);
  const cohort = output.cohort ?? 'handoff';
  if (cohort !== 'handoff' && cohort !== 'event') {
    throw new UsageError(`--by ${cohort}: expected "handoff" or "event"`);
  }
  // A one-shot command must fail when Redis is down, not wait for it forever as the workers do.
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 2 });
  try {
    const report = await loadReport(redis, config, {
      prefix: enginePrefixes(env.redisPrefix).store,
      tenants,
      period,
      cohort,
      now,
    });
    output.write(`${output.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
    return EXIT.ok;
  } finally {
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect());
  }
}
