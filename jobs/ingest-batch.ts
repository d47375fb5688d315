import { UnrecoverableError, type Job } from 'bullmq';
import { batchDelayMs, debounceDelayMs, heatHalfLifeMs } from '../src/domain/adaptive-debounce.ts';
import { ChangeEvent } from '../src/domain/change-event.ts';
import { durationMs } from '../src/domain/duration.ts';
import { fixedDebounceDelayMs } from '../src/domain/fixed-debounce.ts';
import { laneOf, type ReconcileLane } from '../src/domain/reconcile-lane.ts';
import { CorruptLinkError } from '../src/store/link-view.ts';
import type { LeadLink } from '../src/store/lead-link.ts';
import { ownEchoes } from './echo-filter.ts';
import { IngestBatch } from './ingest-queue.ts';
import {
  ingestChangeEvent,
  ingestCheckedEvent,
  NOT_PENDING,
  type IngestDeps,
  type IngestOutcome,
} from './ingest-processor.ts';
import type { PendingRef } from './pending-refs.ts';
import { batchLingerMs } from './reconcile-processor.ts';

/**
 * True for an event that only needs its link looked up (no link change, no API check): these go through
 * ingest together. Deletions, privacy deletions, merges, restores and Salesforce outbound-message hints
 * go through `ingestCheckedEvent` one by one, in their place in the job.
 */
function isPlain(event: ChangeEvent): boolean {
  if (event.system === 'salesforce' && event.source === 'outbound_message') return false;
  if (event.kind === 'merged') return !event.mergedIds?.length;
  return event.kind !== 'deleted' && event.kind !== 'privacy_deleted' && event.kind !== 'restored';
}

/**
 * Many change events (one webhook delivery, one poll page): each with the outcome `ingestChangeEvent`
 * gives it, in a few round trips for the lot instead of several per event: one echo check per tenant and
 * system, one link lookup per tenant and system, the adaptive debounce's heat read and stored once per
 * tenant, the pending adds in one script per shard, and one schedule per shard, lane and due time.
 * Deletions, merges, restores and outbound-message hints keep their own pass, in their place: the plain
 * events before one are in the pending set before it runs (a privacy deletion then removes them).
 *
 * An event that is not a valid change event, names a tenant the config does not have, or a record whose
 * link entries are corrupt (src/store/link-view.ts) does not stop the others: once they are ingested the job fails for good (kept as a failed job, visible on the
 * dashboard, as a one-event job with that event is), naming the bad events.
 */
export async function ingestChangeEvents(deps: IngestDeps, inputs: unknown[]): Promise<IngestOutcome[]> {
  const { engine } = deps;
  const tenants = new Set(engine.config.tenants.map((tenant) => tenant.id));
  const outcomes: IngestOutcome[] = inputs.map(() => NOT_PENDING);
  const bad: string[] = [];
  const events: Array<{ index: number; event: ChangeEvent }> = [];
  inputs.forEach((input, index) => {
    const parsed = ChangeEvent.safeParse(input);
    if (!parsed.success) bad.push(`event ${index}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    else if (!tenants.has(parsed.data.tenant))
      bad.push(`event ${index}: tenant "${parsed.data.tenant}", which the config does not have`);
    else events.push({ index, event: parsed.data });
  });

  const now = engine.now();
  const echoes = await ownEchoes(
    engine,
    events.map(({ event }) => event),
    now.getTime(),
  );
  let plain: Array<{ index: number; event: ChangeEvent }> = [];
  for (const [i, item] of events.entries()) {
    if (echoes[i]) continue;
    if (isPlain(item.event)) {
      plain.push(item);
      continue;
    }
    await ingestPlain(deps, plain, now, outcomes, bad);
    plain = [];
    outcomes[item.index] = await ingestCheckedEvent(deps, item.event, now);
  }
  await ingestPlain(deps, plain, now, outcomes, bad);

  if (bad.length > 0) {
    engine.logger.error({ bad }, 'ingest job carried events that cannot be ingested; the others were');
    throw new UnrecoverableError(`${bad.length} of ${inputs.length} events not ingested: ${bad.join('; ')}`);
  }
  return outcomes;
}

async function ingestPlain(
  deps: IngestDeps,
  items: Array<{ index: number; event: ChangeEvent }>,
  now: Date,
  outcomes: IngestOutcome[],
  bad: string[],
): Promise<void> {
  const byTenant = new Map<string, Array<{ index: number; event: ChangeEvent }>>();
  for (const item of items)
    byTenant.set(item.event.tenant, [...(byTenant.get(item.event.tenant) ?? []), item]);
  await Promise.all(
    [...byTenant].map(async ([tenant, group]) => {
      const leadKeys = await plainEventOutcomes(
        deps,
        tenant,
        group.map(({ event }) => event),
        now,
      );
      group.forEach(({ index }, i) => {
        const leadKey = leadKeys[i] ?? null;
        if (leadKey instanceof CorruptLinkError) bad.push(`event ${index}: ${leadKey.message}`);
        else outcomes[index] = { pending: true, leadKey };
      });
    }),
  );
}

/**
 * The plain events of one tenant into its pending set, their reconciles scheduled; their lead keys (an
 * event whose record's link is corrupt: its error, and nothing added).
 */
async function plainEventOutcomes(
  deps: IngestDeps,
  tenant: string,
  events: ChangeEvent[],
  now: Date,
): Promise<Array<string | null | CorruptLinkError>> {
  const { engine, pending } = deps;
  const found = await findLinks(deps, tenant, events);
  if (found.some((link) => link instanceof CorruptLinkError)) {
    const kept = events.filter((_, i) => !(found[i] instanceof CorruptLinkError));
    const keys = await plainEventOutcomes(deps, tenant, kept, now);
    const out: Array<string | null | CorruptLinkError> = [];
    let next = 0;
    found.forEach((link) => out.push(link instanceof CorruptLinkError ? link : (keys[next++] ?? null)));
    return out;
  }
  const links = found as Array<LeadLink | null>;
  const refs: PendingRef[] = events.map((event, i) => ({
    system: event.system,
    id: event.objectId,
    source: event.source,
    kind: event.kind,
    occurredAt: event.occurredAt,
    ...(links[i]?.leadKey ? { leadKey: links[i].leadKey } : {}),
  }));
  const lanes = events.map(laneOf);
  const nowMs = now.getTime();
  const debounceMs = durationMs(engine.config.sync.debounce);
  const delays = await delaysMs(deps, tenant, refs, lanes, nowMs, debounceMs);
  const entries = refs.map((ref, i) => ({ ref, lane: lanes[i]!, dueAtMs: nowMs + delays[i]! }));
  await pending.addEach(tenant, entries);

  // One schedule per shard, lane and due time, not per event; a shard's due times in order.
  const schedules = new Map<string, { shard: number; lane: ReconcileLane; dueAts: Set<number> }>();
  for (const { ref, lane, dueAtMs } of entries) {
    const shard = pending.shardOf(tenant, ref);
    const key = `${shard}|${lane}`;
    const slot = schedules.get(key) ?? { shard, lane, dueAts: new Set<number>() };
    slot.dueAts.add(dueAtMs);
    schedules.set(key, slot);
  }
  await Promise.all(
    [...schedules.values()].map(async ({ shard, lane, dueAts }) => {
      for (const dueAt of [...dueAts].sort((a, b) => a - b)) {
        // From the clock again: the add took a round trip, and a delay aimed at a grid tick must not pass it.
        const delayMs = dueAt > nowMs ? Math.max(0, dueAt - engine.now().getTime()) : 0;
        await deps.schedule(tenant, delayMs, { shard, lane });
      }
    }),
  );
  return links.map((link) => link?.leadKey ?? null);
}

/**
 * Each event's link (null when its record is not linked): one lookup per system. A record whose link
 * entries are corrupt gets its error instead, alone: the lookup of its system is then redone record by
 * record.
 */
async function findLinks(
  deps: IngestDeps,
  tenant: string,
  events: ChangeEvent[],
): Promise<Array<LeadLink | null | CorruptLinkError>> {
  const { links } = deps.engine;
  const systems = [...new Set(events.map((event) => event.system))];
  const found = await Promise.all(
    systems.map(async (system) => {
      const ids = [
        ...new Set(events.filter((event) => event.system === system).map((event) => event.objectId)),
      ];
      const lookup = await links.findMany(tenant, system, ids);
      if (lookup.corrupt.length === 0) return [system, lookup.found] as const;
      const each = new Map<string, LeadLink | CorruptLinkError>();
      for (const id of ids) {
        const link = await links.find(tenant, system, id).catch((error: unknown) => {
          if (error instanceof CorruptLinkError) return error;
          throw error;
        });
        if (link) each.set(id, link);
      }
      return [system, each] as const;
    }),
  );
  const bySystem = new Map<string, Map<string, LeadLink | CorruptLinkError>>(found);
  return events.map((event) => bySystem.get(event.system)?.get(event.objectId) ?? null);
}

/** Each change's delay (ms): the rep lane at once; else the fixed grid or the adaptive debounce. */
async function delaysMs(
  deps: IngestDeps,
  tenant: string,
  refs: PendingRef[],
  lanes: ReconcileLane[],
  nowMs: number,
  debounceMs: number,
): Promise<number[]> {
  const delays = refs.map(() => 0);
  const routine = refs.flatMap((ref, i) => (lanes[i] === 'routine' ? [i] : []));
  if (routine.length === 0) return delays;
  if (deps.engine.config.sync.debounceMode === 'fixed') {
    for (const i of routine) delays[i] = fixedDebounceDelayMs(nowMs, debounceMs);
    return delays;
  }
  const { heats, lastBatchAt } = await deps.pending.touchMany(
    tenant,
    routine.map((i) => refs[i]!),
    nowMs,
    heatHalfLifeMs(debounceMs),
  );
  routine.forEach((refIndex, i) => {
    const wait = debounceDelayMs(heats[i]!.count, debounceMs);
    delays[refIndex] = batchDelayMs(nowMs, wait, lastBatchAt, batchLingerMs(debounceMs));
  });
  return delays;
}

/**
 * The ingest queue's processor: a job carries many events (`{ events }`, jobs/ingest-queue.ts), or one
 * (the shape of the jobs queued before many-event jobs, still processed after an upgrade).
 */
export function ingestProcessor(deps: IngestDeps): (job: Job) => Promise<IngestOutcome | IngestOutcome[]> {
  return (job) => {
    const batch = IngestBatch.safeParse(job.data);
    return batch.success ? ingestChangeEvents(deps, batch.data.events) : ingestChangeEvent(deps, job.data);
  };
}
