import type { Redis } from 'ioredis';
import type { ReportLead, ReportTenantInput } from '../domain/report.ts';
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
