import { UnrecoverableError } from 'bullmq';
import { batchDelayMs, debounceDelayMs, heatHalfLifeMs } from '../src/domain/adaptive-debounce.ts';
import { durationMs } from '../src/domain/duration.ts';
import { fixedDebounceDelayMs } from '../src/domain/fixed-debounce.ts';
import { ChangeEvent } from '../src/domain/change-event.ts';
import { mergedInto } from '../connectors/salesforce/record-states.ts';
import { laneOf } from '../src/domain/reconcile-lane.ts';
import { isOwnEcho } from './echo-filter.ts';
import type { EngineDeps } from './engine.ts';
import { maintainLinks } from './link-maintenance.ts';
import { propagateDeletion } from './propagate-deletion.ts';
import type { PendingRef, PendingRefs } from './pending-refs.ts';
import { batchLingerMs } from './reconcile-processor.ts';
import type { ScheduleOptions } from './reconcile-queue.ts';

export interface IngestDeps {
  engine: Pick<EngineDeps, 'config' | 'links' | 'state' | 'audit' | 'logger' | 'now'> &
    Partial<Pick<EngineDeps, 'connectors' | 'metrics' | 'written'>>;
  pending: PendingRefs;
  /**
   * Makes sure a reconcile of the tenant's shard runs within `delayMs` milliseconds (the worker: a
   * deduplicated delayed job; `sync --once`: nothing, it drains the pending sets itself).
   */
  schedule(tenant: string, delayMs: number, options?: ScheduleOptions): Promise<void>;
}

export interface IngestOutcome {
  /** True when the record was added to (or already was in) the tenant's pending set. */
  pending: boolean;
  leadKey: string | null;
}

/**
 * One change event: dropped when it is the echo of our own write (jobs/echo-filter.ts); else link maintenance, then the record (with how it was seen, which reconcile notes in the
 * lead's audit trail) into its shard of the tenant's pending set, and that shard's reconcile scheduled.
 * When it is due:
 * - a rep's change or an SLA action (the `rep` lane, src/domain/reconcile-lane.ts): at once, before any
 *   routine record;
 * - otherwise after the adaptive debounce (src/domain/adaptive-debounce.ts): at once for the first
 *   change of a quiet record, longer (up to `sync.debounce`) for a record that keeps changing; and no
 *   sooner than the batch linger after the tenant's last batch started, so a busy tenant's changes
 *   share batches instead of each costing its own API calls;
 * - with `sync.debounceMode: fixed` (src/domain/fixed-debounce.ts): after the whole debounce, at the
 *   next tick of a grid of it, so every change shares its tick's batch.
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
  // Our own write coming back: reconcile would read the record only to find it equal to its base.
  if (await isOwnEcho(engine, event, now.getTime())) return NOT_PENDING;
  return ingestCheckedEvent(deps, event, now);
}

/** What an event that leaves nothing pending (an echo, a forged hint, a bad event in a batch) yields. */
export const NOT_PENDING: IngestOutcome = Object.freeze({ pending: false, leadKey: null });

/**
 * `ingestChangeEvent` after the event was parsed, its tenant found and the echo check passed: the hint
 * check, link maintenance, deletion propagation, the pending set and the reconcile's schedule.
 */
export async function ingestCheckedEvent(
  deps: IngestDeps,
  event: ChangeEvent,
  now: Date,
): Promise<IngestOutcome> {
  const { engine } = deps;
  const checked = await verifiedEvent(deps, event);
  if (checked === null) return NOT_PENDING;
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
  const ref: PendingRef = {
    system: checked.system,
    id: checked.objectId,
    source: checked.source,
    kind: checked.kind,
    occurredAt: checked.occurredAt,
    ...(link?.leadKey ? { leadKey: link.leadKey } : {}),
  };
  const lane = laneOf(checked);
  const nowMs = now.getTime();
  const delayMs =
    lane === 'rep'
      ? 0
      : engine.config.sync.debounceMode === 'fixed'
        ? fixedDebounceDelayMs(nowMs, debounceMs)
        : await adaptiveDelayMs(deps.pending, event.tenant, ref, nowMs, debounceMs);
  const dueAt = nowMs + delayMs;
  await deps.pending.add(event.tenant, [ref], dueAt, lane);
  // From the clock again: the add took a round trip, and a delay aimed at a grid tick must not pass it.
  const scheduleDelayMs = delayMs > 0 ? Math.max(0, dueAt - engine.now().getTime()) : 0;
  await deps.schedule(event.tenant, scheduleDelayMs, {
    shard: deps.pending.shardOf(event.tenant, ref),
    lane,
  });
  return { pending: true, leadKey: link?.leadKey ?? null };
}

/** The adaptive debounce's delay for one more change of `ref` (records the change's heat). */
async function adaptiveDelayMs(
  pending: PendingRefs,
  tenant: string,
  ref: PendingRef,
  nowMs: number,
  debounceMs: number,
): Promise<number> {
  const { heat, lastBatchAt } = await pending.touch(tenant, ref, nowMs, heatHalfLifeMs(debounceMs));
  return batchDelayMs(nowMs, debounceDelayMs(heat.count, debounceMs), lastBatchAt, batchLingerMs(debounceMs));
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
