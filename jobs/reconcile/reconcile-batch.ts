import { createHash } from 'node:crypto';
import type { TenantConnectors } from '../../connectors/index.ts';
import { openTimers } from '../../src/domain/ledger-timers.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { AuditEntry } from '../../src/store/audit-entry.ts';
import type { LeadLink } from '../../src/store/lead-link.ts';
import type { VersionedState } from '../../src/store/sync-state.ts';
import type {
  EngineDeps,
  ReconcileBatch,
  ReconcileBatchResult,
  RecordFailure,
  RecordRef,
} from '../engine.ts';
import {
  changeSeenEntries,
  decisionEntries,
  failureEntries,
  mergeEntries,
  patchEntries,
} from './audit-entries.ts';
import { countPass, countFailures } from './count-metrics.ts';
import { nextState, storesNothingNew } from './next-state.ts';
import { planLead } from './plan-lead.ts';
import { followConversions, readSides } from './read-sides.ts';
import { resolveRefs } from './resolve-refs.ts';
import { matchExisting } from './match-existing.ts';
import { emptyReadCache, type LeadPlan, type LeadSides, type ReadCache } from './types.ts';
import { writePatches } from './write-patches.ts';

/**
 * Passes over a lead whose sync state another worker changed meanwhile (compare-and-set refused), each
 * from a fresh read of both systems; after the last one the lead is reported as a retryable failure.
 */
export const MAX_STATE_ATTEMPTS = 3;

/**
 * The instant the domain decides with, cut to whole seconds: Salesforce keeps date-time fields to the
 * second, so an instant LeadBridge computes (SLA due time, rejection time) with milliseconds would read
 * back different from what was written and be patched again on every pass.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_valid_date_formats.htm
 */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const configHashes = new WeakMap<object, string>();

/** The rules a write was planned with (credentials left out), for parked writes' fingerprints. */
function configHash(config: EngineDeps['config']): string {
  let hash = configHashes.get(config);
  if (hash === undefined) {
    const rules = { ...config, tenants: config.tenants.map((tenant) => tenant.id) };
    hash = createHash('sha256').update(JSON.stringify(rules)).digest('base64url');
    configHashes.set(config, hash);
  }
  return hash;
}

function tenantConnectors(deps: EngineDeps, tenant: string): TenantConnectors {
  const connectors = deps.connectors.get(tenant);
  if (!connectors) throw new PermanentError(`no connectors for tenant "${tenant}"`, 'UNKNOWN_TENANT');
  return connectors;
}

function emptyResult(tenant: string): ReconcileBatchResult {
  return {
    tenant,
    leads: 0,
    unchanged: 0,
    written: { hubspot: 0, salesforce: 0 },
    created: { hubspot: 0, salesforce: 0 },
    conflicts: 0,
    failures: [],
  };
}

interface PassOutcome {
  plans: LeadPlan[];
  /** Leads whose state write lost the race, with their latest links. */
  lost: LeadLink[];
}

/**
 * Records a backfill page handed in were read before the batch ran; a worker may have synced one of
 * those leads since (a rep's change in the fast lane), and comparing the older record with the newer
 * base would look like a change on that side and undo the worker's write. Those leads are read again.
 */
function forgetStaleHandedRecords(links: LeadLink[], states: VersionedState[], cache: ReadCache): void {
  if (cache.handedReadAt === undefined) return;
  // syncedAt is when that base was stored (after the worker's writes landed), in whole seconds: a second
  // of margin keeps the comparison on the safe side.
  const since = cache.handedReadAt - 1_000;
  links.forEach((link, i) => {
    const syncedAt = states[i]?.state?.syncedAt;
    if (syncedAt === undefined || Date.parse(syncedAt) < since) return;
    if (link.hubspot !== null) cache.hubspot.delete(link.hubspot);
    for (const id of [link.salesforceLead, link.salesforceContact])
      if (id !== null) cache.salesforce.delete(id);
  });
}

/**
 * One pass over `links`: read both sides (one call per system) and the sync state (one round trip),
 * reconcile each lead, write the patches (one call per system), store the new state with
 * compare-and-set, and append the audit trail (one pipeline).
 */
async function reconcilePass(
  deps: EngineDeps,
  tenant: string,
  connectors: TenantConnectors,
  links: LeadLink[],
  cache: ReadCache,
  refsByLead: Map<string, RecordRef[]> | null,
  result: ReconcileBatchResult,
  changedLeads: Set<string>,
): Promise<PassOutcome> {
  const now = wholeSeconds(deps.now());
  const at = now.toISOString();
  // The base is read before the records: a worker stores a lead's base only after writing both
  // systems, so records read after it are never older than it (read the other way round, a base stored
  // in between would make an older record look like a change on its side and undo that worker's write).
  // A base stored after this read fails the compare-and-set below, and the lead gets a fresh pass.
  const leadKeys = links.map((link) => link.leadKey);
  const [states, ledgers] = await Promise.all([
    deps.state.readMany(tenant, leadKeys),
    deps.ledger.readMany(tenant, leadKeys),
  ]);
  forgetStaleHandedRecords(links, states, cache);
  const stateOf = new Map(states.map((state) => [state.leadKey, state]));
  const ledgerOf = new Map(leadKeys.map((leadKey, i) => [leadKey, ledgers[i]?.entries ?? []]));
  const read = await readSides(connectors, links, cache);
  const converted = await followConversions(deps.links, tenant, read, now);
  const plan = (sides: LeadSides) => {
    const leadKey = sides.link.leadKey;
    const state = stateOf.get(leadKey) ?? { leadKey, version: 0, state: null };
    return planLead(tenant, sides, state, deps.config, now, ledgerOf.get(leadKey) ?? []);
  };
  // A Lead about to be created may already exist in Salesforce: linked, then planned again with it.
  const matched = await matchExisting(
    { tenant, connectors, links: deps.links, now },
    converted.sides.map(plan),
    cache,
    plan,
    at,
  );
  const plans = matched.plans;
  const written = await writePatches(
    {
      tenant,
      connectors,
      links: deps.links,
      now,
      ...(deps.parked ? { parked: deps.parked, configHash: configHash(deps.config) } : {}),
      ...(deps.written ? { written: { store: deps.written, clock: deps.now } } : {}),
    },
    plans,
  );
  // syncedAt is when the base is stored, after this pass's writes landed (not when the pass began, which
  // can be seconds earlier under load): forgetStaleHandedRecords relies on it to tell a page read before
  // those writes from one read after them.
  const storedAt = wholeSeconds(deps.now());
  const stateWrites = plans.flatMap((plan) => {
    const write = nextState(plan, written.writes.get(plan.sides.link.leadKey), storedAt);
    return storesNothingNew(plan, write) ? [] : [write];
  });
  const stored = await deps.state.writeMany(tenant, stateWrites);
  const lostKeys = new Set(stored.flatMap((outcome) => (outcome.ok ? [] : [outcome.leadKey])));
  if (deps.timers) {
    // Deadlines are scheduled whenever a pass added to a lead's ledger; their job ids make repeats no-ops.
    const timers = plans.flatMap((plan) =>
      lostKeys.has(plan.sides.link.leadKey) || plan.result.ledger.length === 0
        ? []
        : openTimers(plan.result.lifecycle).map((timer) => ({ leadKey: plan.sides.link.leadKey, timer })),
    );
    await deps.timers.schedule(tenant, timers);
  }

  const failures: RecordFailure[] = [
    ...converted.failures,
    ...matched.failures,
    ...plans.flatMap((plan) => plan.failures),
    ...written.failures,
  ];
  const failuresByLead = new Map<string, RecordFailure[]>();
  for (const failure of failures) {
    if (failure.leadKey === null) continue;
    failuresByLead.set(failure.leadKey, [...(failuresByLead.get(failure.leadKey) ?? []), failure]);
  }
  const audit = plans.map((plan) => {
    const leadKey = plan.sides.link.leadKey;
    const writes = written.writes.get(leadKey);
    const entries: AuditEntry[] = [
      ...changeSeenEntries(refsByLead?.get(leadKey) ?? [], plan, at),
      ...(matched.entries.get(leadKey) ?? []),
      ...decisionEntries(plan, at),
      ...mergeEntries(plan, at),
      ...patchEntries(writes, at, plan),
      ...failureEntries(failuresByLead.get(leadKey) ?? [], at),
    ];
    return { leadKey, entries };
  });
  await deps.audit.appendMany(tenant, audit);
  // Owners and notifications (jobs/notify/): one addBulk, off the sync path; lost leads are redone.
  await deps.notify?.(
    tenant,
    plans.filter((plan) => !lostKeys.has(plan.sides.link.leadKey)),
    now,
  );

  for (const plan of plans) {
    const leadKey = plan.sides.link.leadKey;
    if (plan.patches.hubspot || plan.patches.salesforce) changedLeads.add(leadKey);
    // A lead that will be reconciled again is counted once, on its final pass.
    if (!lostKeys.has(leadKey)) result.conflicts += plan.result.merge.conflicts.length;
    for (const [system, write] of Object.entries(written.writes.get(leadKey) ?? {})) {
      if (!write.outcome.ok) continue;
      result.written[system as keyof typeof result.written] += 1;
      if (write.outcome.created) result.created[system as keyof typeof result.created] += 1;
    }
  }
  result.failures.push(...failures);
  countPass(deps.metrics, tenant, plans, written, lostKeys);
  countFailures(deps.metrics, failures);
  return {
    plans,
    lost: plans.filter((plan) => lostKeys.has(plan.sides.link.leadKey)).map((plan) => plan.sides.link),
  };
}

/**
 * Reconciles a batch of changed records of one tenant end to end (see `ReconcileBatch` in
 * jobs/engine.ts): resolve refs to leads, read both sides, reconcile, write, store, audit, count.
 */
export const reconcileBatch: ReconcileBatch = async (deps, tenant, refs) => {
  const connectors = tenantConnectors(deps, tenant);
  const result = emptyResult(tenant);
  const resolved = await resolveRefs({ tenant, links: deps.links, connectors, now: deps.now() }, refs);
  result.failures.push(...resolved.failures);
  countFailures(deps.metrics, resolved.failures);
  result.leads = resolved.links.size;
  result.leadKeys = [...resolved.links.keys()];

  const changedLeads = new Set<string>();
  let pending = [...resolved.links.values()];
  let cache = resolved.cache;
  let refsByLead: Map<string, RecordRef[]> | null = resolved.refsByLead;
  for (let attempt = 1; attempt <= MAX_STATE_ATTEMPTS && pending.length > 0; attempt++) {
    const pass = await reconcilePass(
      deps,
      tenant,
      connectors,
      pending,
      cache,
      refsByLead,
      result,
      changedLeads,
    );
    pending = pass.lost;
    // Later passes read afresh (the other worker may have written) and the refs are already in the trail.
    cache = emptyReadCache();
    refsByLead = null;
  }
  if (pending.length > 0) {
    const at = deps.now().toISOString();
    const failures: RecordFailure[] = pending.map((link) => ({
      tenant,
      leadKey: link.leadKey,
      // One record of the lead, named by its own system, so `retry` can queue it again.
      system: link.hubspot !== null ? 'hubspot' : 'salesforce',
      recordId: link.hubspot ?? link.salesforceContact ?? link.salesforceLead,
      code: 'STATE_CONFLICT',
      message: `sync state changed concurrently ${MAX_STATE_ATTEMPTS} times; reconcile again later`,
      retryable: true,
    }));
    await deps.audit.appendMany(
      tenant,
      failures.map((failure) => ({
        leadKey: failure.leadKey as string,
        entries: failureEntries([failure], at),
      })),
    );
    result.failures.push(...failures);
    countFailures(deps.metrics, failures);
  }
  result.unchanged = result.leads - changedLeads.size;
  deps.metrics.leadsReconciled.inc({ tenant, outcome: 'unchanged' }, result.unchanged);
  deps.metrics.leadsReconciled.inc({ tenant, outcome: 'changed' }, changedLeads.size);
  deps.logger.debug(
    { tenant, leads: result.leads, written: result.written, failures: result.failures.length },
    'reconciled batch',
  );
  return result;
};
