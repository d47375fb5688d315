import type { Redis } from 'ioredis';
import { RedisBudgetStore } from '../../connectors/salesforce/budget-store.ts';
import type { LeadBridgeConfig } from '../../src/config/schema.ts';
import { fixFor } from '../../src/domain/failure-fixes.ts';
import { SystemName } from '../../src/domain/lead.ts';
import { overdueLead, type OverdueLead } from '../../src/domain/overdue.ts';
import type { TenantIdentityIssues } from '../../src/domain/identity-issues.ts';
import { readIdentityIssues } from '../../src/store/identity-issues.ts';
import type { LeadLink } from '../../src/store/lead-link.ts';
import { decodeLink } from '../../src/store/link-codec.ts';
import { readFailingRecords, type FailingRecord } from '../../src/store/record-failures.ts';
import { SyncHealth } from '../../src/store/sync-health.ts';
import { scanSyncStates } from '../../src/store/sync-state-scan.ts';
import { tenantSharding, type EnginePrefixes } from '../engine-runtime.ts';
import { PendingRefs } from '../pending-refs.ts';

export interface PollHealth {
  /** ISO-8601 instant of the last poll pass that reached the end without an error; null: never. */
  lastSuccessAt: string | null;
  /** Minutes since then at `generatedAt`. */
  ageMinutes: number | null;
}

export interface SalesforceBudget {
  /** Calls used in the rolling 24 hours, as Salesforce last reported (all integrations of the org). */
  used: number;
  limit: number;
  /** What LeadBridge may use: limit × apiBudgetShare. */
  allowed: number;
  /** allowed − used, never below 0. */
  left: number;
  /**
   * Salesforce counts a rolling 24 hours, so today's reading is the daily rate: `within` when it stays
   * under LeadBridge's share, `over` when new work is being held back until the window rolls on.
   */
  forecast: 'within' | 'over';
  /** ISO-8601 instant of the reading. */
  observedAt: string;
  /** ISO-8601 instant until which work is paused after REQUEST_LIMIT_EXCEEDED, if it is. */
  pausedUntil: string | null;
}

export interface FailureGroup {
  system: SystemName;
  code: string;
  fix: string;
  count: number;
  records: FailingRecord[];
}

export interface OwnerGroup {
  /** Salesforce owner (user or queue id); `(no Salesforce record)` or `(unknown: …)` otherwise. */
  owner: string;
  count: number;
  leads: Array<OverdueLead & { salesforceId: string | null; email: string | null }>;
}

export interface TenantStatus {
  tenant: string;
  polls: Record<SystemName, PollHealth>;
  /** Records waiting to be reconciled (the tenant's pending set). */
  backlog: number;
  /** Webhook events of LeadBridge's own writes that ingest dropped (jobs/echo-filter.ts), per system. */
  echoesDropped: Record<SystemName, number>;
  budget: { salesforce: SalesforceBudget | null };
  failing: { records: number; groups: FailureGroup[] };
  /** Records marked duplicates of the record their lead links: resolved to it, never written to. */
  duplicates: TenantIdentityIssues['duplicates'];
  /** Writes refused for the record itself, not sent again until the record or the config changes. */
  parked: TenantIdentityIssues['parked'];
  overdue: { leads: number; byOwner: OwnerGroup[] };
}

export interface StatusReport {
  generatedAt: string;
  tenants: TenantStatus[];
  total: {
    backlog: number;
    failingRecords: number;
    overdueLeads: number;
    duplicates: number;
    parkedWrites: number;
  };
}

/** Looks up the Salesforce owner of Lead/Contact ids (one batch read); absent ids have no owner. */
export type OwnerLookup = (tenant: string, salesforceIds: string[]) => Promise<Map<string, string>>;

export interface StatusOptions {
  prefixes: EnginePrefixes;
  tenants?: readonly string[];
  now?: Date;
  ownerLookup?: OwnerLookup;
}

function pollHealth(at: string | undefined, now: Date): PollHealth {
  if (!at) return { lastSuccessAt: null, ageMinutes: null };
  return { lastSuccessAt: at, ageMinutes: Math.floor((now.getTime() - Date.parse(at)) / 60_000) };
}

export function groupFailures(records: FailingRecord[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const record of records) {
    const key = `${record.system}\u0000${record.code}`;
    let group = groups.get(key);
    if (!group) {
      group = { system: record.system, code: record.code, fix: fixFor(record.code), count: 0, records: [] };
      groups.set(key, group);
    }
    group.count += 1;
    group.records.push(record);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

async function overdueByOwner(
  redis: Redis,
  config: LeadBridgeConfig,
  tenant: string,
  prefix: string,
  now: Date,
  ownerLookup: OwnerLookup | undefined,
): Promise<OwnerGroup[]> {
  const overdue: OverdueLead[] = [];
  for await (const batch of scanSyncStates(redis, tenant, { prefix })) {
    for (const { leadKey, state } of batch.states) {
      const lead = overdueLead(leadKey, state.timeline, now, config.sla);
      if (lead) overdue.push(lead);
    }
  }
  if (overdue.length === 0) return [];
  const linksKey = `${prefix}:{${tenant}}:links`;
  const raw = await redis.hmget(linksKey, ...overdue.map((lead) => lead.leadKey));
  const withIds = overdue.map((lead, index) => {
    const decoded = raw[index] ? decodeLink(raw[index], lead.leadKey) : null;
    const link: Partial<LeadLink> = decoded && 'link' in decoded ? decoded.link : {};
    return {
      ...lead,
      salesforceId: link.salesforceContact ?? link.salesforceLead ?? null,
      email: link.email ?? null,
    };
  });
  let owners = new Map<string, string>();
  let unknown: string | null = null;
  const ids = withIds.flatMap((lead) => (lead.salesforceId ? [lead.salesforceId] : []));
  if (ownerLookup && ids.length > 0) {
    try {
      owners = await ownerLookup(tenant, ids);
    } catch (error) {
      unknown = `(unknown: ${(error as Error).message})`;
    }
  } else if (ids.length > 0) {
    unknown = '(unknown: owners not looked up)';
  }
  const groups = new Map<string, OwnerGroup>();
  for (const lead of withIds) {
    const owner = lead.salesforceId
      ? (owners.get(lead.salesforceId) ?? unknown ?? '(no owner)')
      : '(no Salesforce record)';
    const group = groups.get(owner) ?? { owner, count: 0, leads: [] };
    group.count += 1;
    group.leads.push(lead);
    groups.set(owner, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.owner.localeCompare(b.owner));
}

/**
 * Sync health per tenant: last successful poll per system, backlog, Salesforce API budget, records
 * failing grouped by cause with the fix, and leads overdue for follow-up by owner. Reads Redis only
 * (and, with `ownerLookup`, one Salesforce batch read for the overdue leads' owners).
 */
export async function buildStatus(
  redis: Redis,
  config: LeadBridgeConfig,
  options: StatusOptions,
): Promise<StatusReport> {
  const now = options.now ?? new Date();
  const store = { prefix: options.prefixes.store };
  const health = new SyncHealth(redis, store);
  const pending = new PendingRefs(redis, { ...store, sharding: tenantSharding(config) });
  const budgets = new RedisBudgetStore(redis, options.prefixes.connectors);
  const tenantIds = options.tenants ?? config.tenants.map((tenant) => tenant.id);
  const tenants: TenantStatus[] = [];
  for (const tenant of tenantIds) {
    const tenantConfig = config.tenants.find((entry) => entry.id === tenant);
    const [polls, echoesDropped, backlog, budget, failing, byOwner, identity] = await Promise.all([
      health.lastPolls(tenant),
      health.droppedEchoes(tenant),
      pending.count(tenant),
      budgets.get(tenant),
      readFailingRecords(redis, store.prefix, tenant),
      overdueByOwner(redis, config, tenant, store.prefix, now, options.ownerLookup),
      readIdentityIssues(redis, store.prefix, tenant),
    ]);
    const share = tenantConfig?.salesforce.apiBudgetShare ?? 1;
    const allowed = budget ? Math.floor(budget.limit * share) : 0;
    tenants.push({
      tenant,
      polls: {
        hubspot: pollHealth(polls.hubspot, now),
        salesforce: pollHealth(polls.salesforce, now),
      },
      backlog,
      echoesDropped,
      budget: {
        salesforce:
          budget && budget.observedAt > 0
            ? {
                used: budget.used,
                limit: budget.limit,
                allowed,
                left: Math.max(0, allowed - budget.used),
                forecast: budget.used < allowed ? 'within' : 'over',
                observedAt: new Date(budget.observedAt).toISOString(),
                pausedUntil:
                  budget.pausedUntil > now.getTime() ? new Date(budget.pausedUntil).toISOString() : null,
              }
            : null,
      },
      failing: { records: failing.length, groups: groupFailures(failing) },
      duplicates: identity.duplicates,
      parked: identity.parked,
      overdue: { leads: byOwner.reduce((sum, group) => sum + group.count, 0), byOwner },
    });
  }
  return {
    generatedAt: now.toISOString(),
    tenants,
    total: {
      backlog: tenants.reduce((sum, t) => sum + t.backlog, 0),
      failingRecords: tenants.reduce((sum, t) => sum + t.failing.records, 0),
      overdueLeads: tenants.reduce((sum, t) => sum + t.overdue.leads, 0),
      duplicates: tenants.reduce((sum, t) => sum + t.duplicates.count, 0),
      parkedWrites: tenants.reduce((sum, t) => sum + t.parked.count, 0),
    },
  };
}

export { SystemName };
