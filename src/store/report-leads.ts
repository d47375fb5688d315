import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../config/schema.ts';
import { buildReport, type ReportLead, type ReportTenantInput } from '../domain/report.ts';
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

export interface LoadReportOptions {
  /** Key prefix of the state layer (`<LEADBRIDGE_REDIS_PREFIX>:store`). */
  prefix: string;
  /** Tenant ids to report on (default: every configured tenant). */
  tenants?: readonly string[] | undefined;
  period?: ReportPeriod | undefined;
  now?: Date;
}

/** Reads the stored lead states of the tenants and builds the closed-loop report (CLI and server). */
export async function loadReport(
  redis: Redis,
  config: Pick<LeadBridgeConfig, 'tenants' | 'lifecycle' | 'sla'>,
  options: LoadReportOptions,
): Promise<FunnelReport> {
  const tenants = options.tenants ?? config.tenants.map((tenant) => tenant.id);
  return buildReport({
    tenants: await readReportLeads(redis, tenants, { prefix: options.prefix }),
    lifecycle: config.lifecycle,
    sla: config.sla,
    now: options.now ?? new Date(),
    period: options.period,
  });
}
