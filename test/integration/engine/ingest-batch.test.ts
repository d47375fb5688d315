import { UnrecoverableError, type Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestChangeEvents, ingestProcessor } from '../../../jobs/ingest-batch.ts';
import { ingestChangeEvent, type IngestDeps } from '../../../jobs/ingest-processor.ts';
import { createIngestQueue, enqueueChangeEvents, eventsOfIngestJob } from '../../../jobs/ingest-queue.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { valueHash } from '../../../src/domain/value-hash.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { startEngineHarness, TENANT, type EngineHarness } from './engine-harness.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

let n = 0;
function event(fields: Partial<ChangeEvent>): ChangeEvent {
  return {
    tenant: TENANT,
    system: 'hubspot',
    objectId: '101',
    occurredAt: new Date(NOW.getTime() - 60_000).toISOString(),
    kind: 'updated',
    source: 'webhook',
    dedupKey: `d${n++}`,
    ...fields,
  };
}

interface Side {
  harness: EngineHarness;
  deps: IngestDeps;
  scheduled: string[];
}

function side(name: string): Side {
  const harness = startEngineHarness(name);
  harness.engine.now = () => NOW;
  const scheduled: string[] = [];
  const deps: IngestDeps = {
    engine: harness.engine,
    pending: harness.pending,
    schedule: async (tenant, delayMs, options) => {
      // Without the shard, which follows a lead key drawn at random (see pendingState).
      scheduled.push(JSON.stringify({ tenant, delayMs, lane: options?.lane }));
    },
  };
  return { harness, deps, scheduled };
}

/** Links (and gives a sync state to) HubSpot contact `hubspot`, as reconcile would have. */
async function linked(harness: EngineHarness, hubspot: string, email: string): Promise<void> {
  const outcome = await harness.engine.links.link(
    TENANT,
    { hubspot, salesforceLead: `00Q${hubspot}`, email },
    NOW,
  );
  if (!outcome.ok) throw new Error(outcome.detail);
  await harness.engine.state.write(TENANT, {
    leadKey: outcome.link.leadKey,
    expectedVersion: 0,
    state: { base: { email }, timeline: {}, lastDecision: null, syncedAt: NOW.toISOString() },
  });
}

/** What ingest left: the pending records in the order a batch takes them, with how each was seen. */
async function pendingState({ harness }: Side) {
  const nextDueAt = await harness.pending.nextDueAt(TENANT);
  const refs = await harness.pending.popDue(TENANT, NOW.getTime() + 3_600_000, 1_000, NOW.getTime());
  // As a finished batch: the next test starts from an empty pending set.
  await harness.pending.release(TENANT, refs);
  // By id: a linked record's shard follows its lead key, which each store draws at random.
  const first = refs[0]?.id;
  // Lead keys are random per store too: only whether each record came back with its lead is compared.
  const sorted = refs
    .map((ref) => ({ ...ref, leadKey: ref.leadKey !== undefined }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { nextDueAt, refs: sorted, first };
}

describe('ingest: many change events in one job', () => {
  const one = side('batch-one');
  const many = side('batch-many');
  afterAll(async () => {
    await one.harness.close();
    await many.harness.close();
  });

  async function bothWays(events: ChangeEvent[]) {
    one.scheduled.length = 0;
    many.scheduled.length = 0;
    const each = [];
    for (const e of events) each.push(await ingestChangeEvent(one.deps, e));
    const together = await ingestChangeEvents(many.deps, events);
    // Lead keys are random per store: compare whether each event found its lead.
    expect(together.map((o) => ({ ...o, leadKey: o.leadKey !== null }))).toEqual(
      each.map((o) => ({ ...o, leadKey: o.leadKey !== null })),
    );
    const state = await pendingState(many);
    const { first: _first, ...expected } = await pendingState(one);
    expect({ nextDueAt: state.nextDueAt, refs: state.refs }).toEqual(expected);
    expect(new Set(many.scheduled)).toEqual(new Set(one.scheduled));
    return { outcomes: together, refs: state.refs, first: state.first };
  }

  it('leaves the same pending state, heat and schedule as one job per event (bursts, links, echoes, lanes)', async () => {
    for (const s of [one, many]) {
      await linked(s.harness, '301', 'ada@example.com');
      await s.harness.engine.written!.record(
        TENANT,
        'hubspot',
        [{ id: '401', values: { lifecyclestage: 'salesqualifiedlead' } }],
        NOW.getTime() - 1_000,
      );
    }
    const burst = [1, 2, 3].map(() => event({ objectId: '201' }));
    const events = [
      ...burst,
      event({ objectId: '202', kind: 'created' }),
      event({ objectId: '301' }),
      // Our own write coming back: dropped.
      event({ objectId: '401', changedValueHashes: [valueHash('lifecyclestage', 'salesqualifiedlead')] }),
      // A person's different value on the same record: kept.
      event({ objectId: '401', changedValueHashes: [valueHash('lifecyclestage', 'opportunity')] }),
      // A Salesforce webhook travels in the rep lane: due at once, taken first.
      event({ system: 'salesforce', objectId: '00Q000000000001AAA' }),
    ];
    const { outcomes, refs, first } = await bothWays(events);
    expect(outcomes.map((o) => o.pending)).toEqual([true, true, true, true, true, false, true, true]);
    // One piece of work per record, the rep's first.
    expect(refs.map((ref) => ref.id)).toEqual(['00Q000000000001AAA', '201', '202', '301', '401']);
    expect(first).toBe('00Q000000000001AAA');
    // The heat of the burst: a second pass of the same record after the burst is debounced longer.
    await bothWays([event({ objectId: '201' }), event({ objectId: '202' })]);
  });

  it('keeps a deletion and a privacy deletion in their place among updates', async () => {
    for (const s of [one, many]) {
      await linked(s.harness, '501', 'bea@example.com');
      await linked(s.harness, '502', 'cy@example.com');
    }
    const { outcomes } = await bothWays([
      event({ objectId: '501' }),
      event({ objectId: '501', kind: 'privacy_deleted' }),
      event({ objectId: '502' }),
      event({ objectId: '502', kind: 'deleted' }),
      event({ objectId: '503' }),
    ]);
    expect(outcomes.map((o) => o.pending)).toEqual([true, false, true, true, true]);
    expect(await many.harness.engine.links.find(TENANT, 'hubspot', '501')).toBeNull();
  });

  it('ingests the good events of a job with a bad one, then fails the job for good naming the bad ones', async () => {
    const good = [event({ objectId: '601' }), event({ objectId: '602' })];
    const job = ingestChangeEvents(many.deps, [
      good[0],
      { tenant: TENANT, system: 'hubspot' },
      good[1],
      event({ tenant: 'nobody', objectId: '603' }),
    ]);
    await expect(job).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(job).rejects.toThrow(/2 of 4 events not ingested: event 1: .*event 3: tenant "nobody"/);
    const { refs } = await pendingState(many);
    expect(refs.map((ref) => ref.id).sort()).toEqual(['601', '602']);
  });

  it('fails only the event whose record has a corrupt link entry; the others are ingested', async () => {
    const { hubspot } = many.harness.engine.links.keys(TENANT);
    await many.harness.redis.hset(hubspot, '901', 'not-a-lead-key');
    const job = ingestChangeEvents(many.deps, [event({ objectId: '901' }), event({ objectId: '902' })]);
    await expect(job).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(job).rejects.toThrow(/1 of 2 events not ingested: event 0: /);
    const { refs } = await pendingState(many);
    expect(refs.map((ref) => ref.id)).toEqual(['902']);
  });

  it('still processes a one-event job queued before many-event jobs existed', async () => {
    const process = ingestProcessor(many.deps);
    const outcome = await process({ data: event({ objectId: '701' }) } as Job);
    expect(outcome).toEqual({ pending: true, leadKey: null });
    await expect(process({ data: { tenant: TENANT } } as Job)).rejects.toThrow(/system/);
    const outcomes = await process({ data: { events: [event({ objectId: '702' })] } } as Job);
    expect(outcomes).toEqual([{ pending: true, leadKey: null }]);
    const { refs } = await pendingState(many);
    expect(refs.map((ref) => ref.id).sort()).toEqual(['701', '702']);
  });

  it('stores a redelivery of the same events as no second job, and a rep’s change in a job of its own', async () => {
    const queue = createIngestQueue(many.harness.redis, silentLogger(), `${many.harness.prefix}:q`);
    try {
      const delivery = [event({ objectId: '801' }), event({ objectId: '802' })];
      const outbound = event({
        system: 'salesforce',
        source: 'outbound_message',
        objectId: '00Q000000000002AAA',
      });
      expect(await enqueueChangeEvents(queue, [...delivery, outbound])).toBe(3);
      expect(await enqueueChangeEvents(queue, [...delivery, outbound])).toBe(3);
      const jobs = await queue.getJobs(['waiting', 'prioritized']);
      expect(jobs).toHaveLength(2);
      const rep = jobs.find((job) => !job.opts.priority);
      expect(rep && eventsOfIngestJob(rep.data)).toEqual([outbound]);
      const routine = jobs.find((job) => job.opts.priority);
      expect(routine && eventsOfIngestJob(routine.data)).toEqual(delivery);
      // BullMQ hands out the rep's job first.
      expect((await queue.getWaiting()).map((job) => job.id)).toEqual([rep!.id]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
