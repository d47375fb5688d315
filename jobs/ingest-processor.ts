import { UnrecoverableError, type Job } from 'bullmq';
import { durationMs } from '../src/domain/duration.ts';
import { ChangeEvent } from '../src/domain/change-event.ts';
import { mergedInto } from '../connectors/salesforce/record-states.ts';
import type { EngineDeps } from './engine.ts';
import { maintainLinks } from './link-maintenance.ts';
import { propagateDeletion } from './propagate-deletion.ts';
import type { PendingRefs } from './pending-refs.ts';

export interface IngestDeps {
  engine: Pick<EngineDeps, 'config' | 'links' | 'state' | 'audit' | 'logger' | 'now'> &
    Partial<Pick<EngineDeps, 'connectors' | 'metrics'>>;
  pending: PendingRefs;
  /**
   * Makes sure the tenant's reconcile runs within `delayMs` milliseconds (the worker: a deduplicated
   * delayed job; `sync --once`: nothing, it drains the pending sets itself).
   */
  schedule(tenant: string, delayMs: number): Promise<void>;
}

export interface IngestOutcome {
  /** True when the record was added to (or already was in) the tenant's pending set. */
  pending: boolean;
  leadKey: string | null;
}

/**
 * One change event: link maintenance, then the record (with how it was seen, which reconcile notes in the
 * lead's audit trail) into the tenant's pending set, due after the debounce, and the tenant's reconcile
 * scheduled.
 * Safe to run twice: the link plans are idempotent and the pending set is a set.
 */
export async function ingestChangeEvent(deps: IngestDeps, input: unknown): Promise<IngestOutcome> {
  const event = ChangeEvent.parse(input);
  const { engine } = deps;
  if (!engine.config.tenants.some((tenant) => tenant.id === event.tenant)) {
    // Kept as a failed job (visible on the dashboard), not retried: only a config change can fix it.
    throw new UnrecoverableError(`change event for tenant "${event.tenant}", which the config does not have`);
  }
  const now = engine.now();
  const checked = await verifiedEvent(deps, event);
  if (checked === null) return { pending: false, leadKey: null };
  // A privacy deletion drops the email from the link; the propagation still needs it for the tombstone.
  const deletion = checked.kind === 'deleted' || checked.kind === 'privacy_deleted';
  const before = deletion ? await engine.links.find(event.tenant, checked.system, checked.objectId) : null;
  const { link, reconcile } = await maintainLinks(engine, checked, now);
  const propagated = await propagateDeletion(engine, checked, link, now, before?.email ?? null);
  if (!reconcile || propagated) {
    await deps.pending.remove(event.tenant, [{ system: event.system, id: event.objectId }]);
    return { pending: false, leadKey: link?.leadKey ?? null };
  }
  const debounceMs = durationMs(engine.config.sync.debounce);
  const ref = {
    system: checked.system,
    id: checked.objectId,
    source: checked.source,
    kind: checked.kind,
    occurredAt: checked.occurredAt,
  };
  await deps.pending.add(event.tenant, [ref], now.getTime() + debounceMs);
  await deps.schedule(event.tenant, debounceMs);
  return { pending: true, leadKey: link?.leadKey ?? null };
}

/**
 * An Outbound Message is a hint, never a fact: it carries no signature, so anyone who knows the org id
 * (which Web-to-Lead forms publish) can send one. Only which record to look at is taken from it; whether
 * the record was deleted or converted is read from the API (queryAll) before any link changes. A record
 * the org does not have at all (a forged id) is dropped: null.
 */
async function verifiedEvent(deps: IngestDeps, event: ChangeEvent): Promise<ChangeEvent | null> {
  if (event.system !== 'salesforce' || event.source !== 'outbound_message') return event;
  const connector = deps.engine.connectors?.get(event.tenant)?.salesforce;
  if (!connector)
    throw new Error(`no Salesforce connector for tenant "${event.tenant}" to check a hint with`);
  const state = (await connector.recordStates([event.objectId])).get(event.objectId);
  if (state === undefined) {
    deps.engine.logger.warn(
      { tenant: event.tenant, objectId: event.objectId },
      'outbound message named a record the org does not have; ignored',
    );
    deps.engine.metrics?.webhookEvents.inc({ system: 'salesforce', outcome: 'unknown_record' });
    return null;
  }
  const master = mergedInto(state);
  if (master !== null) return { ...event, objectId: master, kind: 'merged', mergedIds: [event.objectId] };
  const kind = state === 'deleted' ? 'deleted' : state === 'converted' ? 'converted' : 'updated';
  return { ...event, kind };
}

/** The ingest queue's processor. */
export function ingestProcessor(deps: IngestDeps): (job: Job) => Promise<IngestOutcome> {
  return (job) => ingestChangeEvent(deps, job.data);
}
