import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../config/schema.ts';
import type { LedgerEntry } from '../domain/ledger-entry.ts';
import { buildLedgerReport, type LedgerTenantInput } from '../domain/ledger-report.ts';
import { buildReport, type ReportLead, type ReportTenantInput } from '../domain/report.ts';
import { readIdentityIssues } from './identity-issues.ts';
import { tenantKey } from './keys.ts';
import { decodeLedgerEntry } from './ledger-codec.ts';
import { LEDGER_INDEX } from './sync-state.ts';
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

/** Index elements read per LRANGE. */
const INDEX_PAGE = 5_000;

/**
 * Every lead's ledger of the given tenants, from each tenant's ledger index (one list of every entry in
 * append order, kept by the same script that appends to the leads' ledgers): the report reads the
 * transitions that happened, not every lead's record.
 */
export async function readLedgerIndex(
  redis: Redis,
  tenants: readonly string[],
  prefix: string,
): Promise<LedgerTenantInput[]> {
  const out: LedgerTenantInput[] = [];
  for (const tenant of tenants) {
    const key = tenantKey(prefix, tenant, LEDGER_INDEX);
    const byLead = new Map<string, LedgerEntry[]>();
    let unreadable = 0;
    for (let start = 0; ; start += INDEX_PAGE) {
      const page = await redis.lrange(key, start, start + INDEX_PAGE - 1);
      for (const element of page) {
        const tab = element.indexOf('\t');
        const entry = tab > 0 ? decodeLedgerEntry(element.slice(tab + 1)) : null;
        if (!entry) {
          unreadable++;
          continue;
        }
        const leadKey = element.slice(0, tab);
        const entries = byLead.get(leadKey) ?? [];
        entries.push(entry);
        byLead.set(leadKey, entries);
      }
      if (page.length < INDEX_PAGE) break;
    }
    out.push({
      tenant,
      leads: [...byLead].map(([leadKey, entries]) => ({ leadKey, entries })),
      unreadable,
    });
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
