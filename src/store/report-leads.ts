import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../config/schema.ts';
import { buildLedgerReport, type LedgerTenantInput } from '../domain/ledger-report.ts';
import { buildReport, type ReportLead, type ReportTenantInput } from '../domain/report.ts';
import { readIdentityIssues } from './identity-issues.ts';
import { ledgerLeadKeys, readReportedLedgers } from './ledger-leads.ts';
import type { FunnelReport, ReportPeriod } from '../domain/report-schema.ts';
import { scanSyncStates, type SyncStateScanOptions } from './sync-state-scan.ts';

/**
 * The report's input for the given tenants, read from the stored sync states. Only the few fields the
 * report uses are kept per lead, so a tenant of 100,000 leads fits in memory comfortably.
 */
export async function readReportLeads(
  redis: Redis,
  tenants: readonly string[],
  options: SyncStateScanOptions = {},
): Promise<ReportTenantInput[]> {
  const out: ReportTenantInput[] = [];
  for (const tenant of tenants) {
    const leads: ReportLead[] = [];
    let unreadable = 0;
    for await (const batch of scanSyncStates(redis, tenant, options)) {
      unreadable += batch.corrupt.length;
      for (const { state } of batch.states) {
        const { stage, rejectionReason, rejectedAt } = state.base;
        leads.push({ base: { stage, rejectionReason, rejectedAt }, timeline: state.timeline });
      }
    }
    out.push({ tenant, leads, unreadable });
  }
  return out;
}

/**
 * The reported entries (transitions, feedback, breaches) of every lead in the given tenants' ledger
 * indexes (`ledger-leads.ts`), read from the leads' ledgers: the report reads the transitions that
 * happened, not the leads' records.
 */
export async function readLedgerIndex(
  redis: Redis,
  tenants: readonly string[],
  prefix: string,
): Promise<LedgerTenantInput[]> {
  const out: LedgerTenantInput[] = [];
  for (const tenant of tenants) {
    const leadKeys = await ledgerLeadKeys(redis, prefix, tenant);
    out.push({ tenant, ...(await readReportedLedgers(redis, prefix, tenant, leadKeys)) });
  }
  return out;
}

export interface LoadReportOptions {
  /** Key prefix of the state layer (`<LEADBRIDGE_REDIS_PREFIX>:store`). */
  prefix: string;
  /** Tenant ids to report on (default: every configured tenant). */
  tenants?: readonly string[] | undefined;
  period?: ReportPeriod | undefined;
  /** How a period selects (see `FunnelReport.cohort`); default `handoff`. */
  cohort?: 'handoff' | 'event' | undefined;
  now?: Date;
}

/** Reads the stored lead states of the tenants and builds the closed-loop report (CLI and server). */
export async function loadReport(
  redis: Redis,
  config: Pick<LeadBridgeConfig, 'tenants' | 'lifecycle' | 'sla'>,
  options: LoadReportOptions,
): Promise<FunnelReport> {
  const tenants = options.tenants ?? config.tenants.map((tenant) => tenant.id);
  const [ledgers, identity] = await Promise.all([
    readLedgerIndex(redis, tenants, options.prefix),
    Promise.all(tenants.map((tenant) => readIdentityIssues(redis, options.prefix, tenant))),
  ]);
  return { ...(await buildFunnel(redis, config, options, tenants, ledgers)), identity };
}

async function buildFunnel(
  redis: Redis,
  config: Pick<LeadBridgeConfig, 'tenants' | 'lifecycle' | 'sla'>,
  options: LoadReportOptions,
  tenants: readonly string[],
  ledgers: Awaited<ReturnType<typeof readLedgerIndex>>,
): Promise<FunnelReport> {
  if (ledgers.some((tenant) => tenant.leads.length > 0)) {
    return buildLedgerReport({
      tenants: ledgers,
      lifecycle: config.lifecycle,
      sla: config.sla,
      now: options.now ?? new Date(),
      period: options.period,
      ...(options.cohort ? { cohort: options.cohort } : {}),
    });
  }
  // An install whose leads have no ledger yet (none reconciled since the upgrade): current stages.
  return buildReport({
    tenants: await readReportLeads(redis, tenants, { prefix: options.prefix }),
    lifecycle: config.lifecycle,
    sla: config.sla,
    now: options.now ?? new Date(),
    period: options.period,
  });
}
