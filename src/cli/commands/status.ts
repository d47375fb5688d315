import { buildEngine, enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { connectorOwnerLookup } from '../../../jobs/status/owner-lookup.ts';
import { buildStatus, type StatusReport, type TenantStatus } from '../../../jobs/status/status-report.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { EXIT } from '../exit-codes.ts';
import { identityLines } from './identity-format.ts';
import type { RuntimeEnv } from '../runtime-env.ts';

/** Records listed per failure group in the text view; `--json` has them all. */
const RECORDS_SHOWN = 10;

function ago(minutes: number | null): string {
  if (minutes === null) return 'never';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return `${Math.floor(minutes / 1440)} d ago`;
}

function formatTenant(tenant: TenantStatus): string[] {
  const lines = [`tenant ${tenant.tenant}`];
  for (const system of ['hubspot', 'salesforce'] as const) {
    const poll = tenant.polls[system];
    lines.push(
      `  last successful poll  ${system.padEnd(10)} ${poll.lastSuccessAt ?? '-'} (${ago(poll.ageMinutes)})`,
    );
  }
  lines.push(`  backlog               ${tenant.backlog} record(s) waiting to be reconciled`);
  lines.push(
    `  own echoes dropped    ${tenant.echoesDropped.hubspot} HubSpot webhook event(s) of LeadBridge's own writes`,
  );
  const budget = tenant.budget.salesforce;
  lines.push(
    budget
      ? `  Salesforce API budget ${budget.used} of ${budget.limit} used in 24 h; LeadBridge may use ${budget.allowed}: ${budget.left} left, ${budget.forecast === 'within' ? 'on course to stay within it' : 'over its share: new work waits for the window to roll on'}${budget.pausedUntil ? `; paused until ${budget.pausedUntil}` : ''}`
      : '  Salesforce API budget not read yet (no Salesforce call made)',
  );
  lines.push(`  failing records       ${tenant.failing.records}`);
  for (const group of tenant.failing.groups) {
    lines.push(`    ${group.system} ${group.code}: ${group.count} record(s)`, `      fix: ${group.fix}`);
    for (const record of group.records.slice(0, RECORDS_SHOWN)) {
      const id =
        record.recordId ?? `(not created; lead ${record.hubspotId ?? record.salesforceId ?? record.leadKey})`;
      lines.push(`      ${id} ${record.email ?? ''} ${record.message}`.trimEnd());
    }
    if (group.records.length > RECORDS_SHOWN)
      lines.push(`      ... and ${group.records.length - RECORDS_SHOWN} more (--json lists all)`);
  }
  lines.push(...identityLines(tenant.duplicates, tenant.parked));
  lines.push(`  overdue leads         ${tenant.overdue.leads}`);
  for (const owner of tenant.overdue.byOwner) {
    const worst = Math.max(...owner.leads.map((lead) => lead.overdueMinutes));
    lines.push(`    ${owner.owner}: ${owner.count} lead(s), longest ${worst} min past due`);
  }
  return lines;
}

/** The status view for people. */
export function formatStatus(report: StatusReport): string {
  return [
    ...report.tenants.flatMap(formatTenant),
    `total: ${report.total.backlog} waiting, ${report.total.failingRecords} failing, ${report.total.overdueLeads} overdue, ${report.total.duplicates} duplicate(s), ${report.total.parkedWrites} parked`,
    report.total.failingRecords > 0
      ? 'retry them with `leadbridge retry [--code CODE] [--tenant ID]` once fixed'
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** `leadbridge status`: exit 0 when nothing is failing, 1 when some records are. */
export async function runStatus(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  output: { json: boolean; write: (text: string) => void },
): Promise<number> {
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 2 });
  try {
    const prefixes = enginePrefixes(env.redisPrefix);
    const { engine } = buildEngine(config, {
      redis,
      logger,
      metrics: new Metrics({ collectDefaults: false }),
      prefixes,
    });
    const report = await buildStatus(redis, config, {
      prefixes,
      ownerLookup: connectorOwnerLookup(engine.connectors),
    });
    output.write(`${output.json ? JSON.stringify(report, null, 2) : formatStatus(report)}\n`);
    return report.total.failingRecords === 0 ? EXIT.ok : EXIT.failure;
  } finally {
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect());
  }
}
