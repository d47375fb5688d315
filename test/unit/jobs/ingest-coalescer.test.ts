import { describe, expect, it } from 'vitest';
import { IngestCoalescer } from '../../../jobs/ingest-coalescer.ts';
import {
  ingestBatchJobId,
  ingestJobId,
  ingestJobs,
  ROUTINE_INGEST_PRIORITY,
  type IngestJob,
  type IngestQueue,
} from '../../../jobs/ingest-queue.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';

function change(objectId: string): ChangeEvent {
  return {
    tenant: 'acme',
    system: 'hubspot',
    objectId,
    occurredAt: '2026-12-01T00:00:00.000Z',
    kind: 'updated',
    source: 'webhook',
    dedupKey: `62515/contact.propertyChange/${objectId}/1/1`,
  };
}

function fakeQueue(fail = false) {
  const calls: IngestJob[][] = [];
  const queue = {
    addBulk: async (jobs: IngestJob[]) => {
      calls.push(jobs);
      if (fail) throw new Error('redis down');
      return jobs;
    },
  } as unknown as IngestQueue;
  return { queue, calls };
}

describe('ingestJobId', () => {
  it('keeps the ids of earlier releases, so redeliveries across an upgrade are still dropped', () => {
    const hubspot = '62515/contact.propertyChange/51234567801/1796392841/1731427201500';
    const outbound = 'om:00D000000000000:04l000000000001:00Q000000000001:';
    expect(ingestJobId({ tenant: 'acme', system: 'hubspot', dedupKey: hubspot })).toBe(
      'ev-866dcae9050631fee233fea4e2581c881049d027',
    );
    expect(ingestJobId({ tenant: 'acme', system: 'salesforce', dedupKey: outbound })).toBe(
      'ev-dcd2916bc2b8bfd1a1472562ba95843faee60402',
    );
  });
});

describe('IngestCoalescer', () => {
  it('sends the events of callers in the same turn in one addBulk, each resolving with its own count', async () => {
    const { queue, calls } = fakeQueue();
    const coalescer = new IngestCoalescer(queue);
    const counts = await Promise.all([
      coalescer.add([change('1'), change('2')]),
      coalescer.add([change('3')]),
      coalescer.add([change('4'), change('5'), change('6')]),
    ]);
    expect(counts).toEqual([2, 1, 3]);
    expect(calls).toHaveLength(1);
    // One job per caller (a webhook request), so a redelivered request keeps its job id.
    expect(calls[0]!.map((job) => job.opts.jobId)).toEqual([
      ingestBatchJobId([change('1'), change('2')]),
      ingestJobId(change('3')),
      ingestBatchJobId([change('4'), change('5'), change('6')]),
    ]);
    expect(calls[0]![0]).toEqual({
      name: 'hubspot-events',
      data: { events: [change('1'), change('2')] },
      opts: { jobId: ingestBatchJobId([change('1'), change('2')]), priority: ROUTINE_INGEST_PRIORITY },
    });
    expect(calls[0]![1]).toEqual({
      name: 'hubspot-updated',
      data: { events: [change('3')] },
      opts: { jobId: ingestJobId(change('3')), priority: ROUTINE_INGEST_PRIORITY },
    });
  });

  it('leaves a rep’s change unprioritized, so BullMQ takes it before any backlog of routine events', () => {
    const outbound: ChangeEvent = {
      ...change('00Q5g000000001xEAA'),
      system: 'salesforce',
      source: 'outbound_message',
    };
    const [rep, routine] = ingestJobs([outbound, change('7')]);
    expect(rep!.opts).toEqual({ jobId: ingestJobId(outbound) });
    expect(routine!.opts).toEqual({ jobId: ingestJobId(change('7')), priority: ROUTINE_INGEST_PRIORITY });
  });

  it('resolves only after addBulk has resolved', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const queue = { addBulk: async (jobs: IngestJob[]) => (await held, jobs) } as unknown as IngestQueue;
    let done = false;
    const added = new IngestCoalescer(queue).add([change('1')]).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    release();
    await added;
    expect(done).toBe(true);
  });

  it('gathers the callers that come while an addBulk is in flight and sends them together once it is back', async () => {
    const calls: IngestJob[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const queue = {
      addBulk: async (jobs: IngestJob[]) => {
        calls.push(jobs);
        if (calls.length === 1) await held;
        return jobs;
      },
    } as unknown as IngestQueue;
    const coalescer = new IngestCoalescer(queue, { maxInFlight: 1 });
    const first = coalescer.add([change('1')]);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [coalescer.add([change('2')])];
    await new Promise((resolve) => setTimeout(resolve, 5));
    later.push(coalescer.add([change('3')]));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toHaveLength(1);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 1, 1]);
    expect(
      calls.map((jobs) => jobs.flatMap((job) => job.data.events.map((event) => event.objectId))),
    ).toEqual([['1'], ['2', '3']]);
  });

  /** A queue whose every addBulk waits until the test settles it, recording the object ids it carried. */
  function heldQueue() {
    const calls: Array<{ ids: string[]; resolve: () => void; reject: (error: Error) => void }> = [];
    const queue = {
      addBulk: (jobs: IngestJob[]) =>
        new Promise<IngestJob[]>((resolve, reject) => {
          const ids = jobs.flatMap((job) => job.data.events.map((event) => event.objectId));
          calls.push({ ids, resolve: () => resolve(jobs), reject });
        }),
    } as unknown as IngestQueue;
    return { queue, calls };
  }
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('keeps up to maxInFlight addBulks in flight, in the order their callers came, then gathers', async () => {
    const { queue, calls } = heldQueue();
    const coalescer = new IngestCoalescer(queue, { maxInFlight: 2 });
    const settled: string[] = [];
    const track = (id: string, added: Promise<number>) =>
      added.then(
        () => settled.push(`${id} ok`),
        () => settled.push(`${id} failed`),
      );
    const first = track('1', coalescer.add([change('1')]));
    await nextTurn();
    const second = track('2', coalescer.add([change('2')]));
    await nextTurn();
    const later = [track('3', coalescer.add([change('3')])), track('4', coalescer.add([change('4')]))];
    await nextTurn();
    expect(calls.map((call) => call.ids)).toEqual([['1'], ['2']]);

    // The second group is back first: its caller is answered, the first's still waits, the gathered go out.
    calls[1]!.resolve();
    await second;
    expect(settled).toEqual(['2 ok']);
    await nextTurn();
    expect(calls.map((call) => call.ids)).toEqual([['1'], ['2'], ['3', '4']]);
    calls[0]!.resolve();
    calls[2]!.resolve();
    await Promise.all([first, ...later]);
    expect(settled).toEqual(['2 ok', '1 ok', '3 ok', '4 ok']);
  });

  it('rejects only the callers of the failed addBulk when several are in flight', async () => {
    const { queue, calls } = heldQueue();
    const coalescer = new IngestCoalescer(queue, { maxInFlight: 3 });
    const first = [coalescer.add([change('1')]), coalescer.add([change('2')])];
    await nextTurn();
    const second = [coalescer.add([change('3')])];
    await nextTurn();
    const third = [coalescer.add([change('4')]), coalescer.add([change('5')])];
    await nextTurn();
    expect(calls.map((call) => call.ids)).toEqual([['1', '2'], ['3'], ['4', '5']]);
    calls[1]!.reject(new Error('redis down'));
    calls[0]!.resolve();
    calls[2]!.resolve();
    const results = await Promise.allSettled([...first, ...second, ...third]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
  });

  it('rejects every caller of a failed addBulk', async () => {
    const { queue } = fakeQueue(true);
    const coalescer = new IngestCoalescer(queue);
    const results = await Promise.allSettled([coalescer.add([change('1')]), coalescer.add([change('2')])]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });

  it('rejects a caller with an invalid event alone, before it joins the group', async () => {
    const { queue, calls } = fakeQueue();
    const coalescer = new IngestCoalescer(queue);
    const results = await Promise.allSettled([
      coalescer.add([change('1')]),
      coalescer.add([{ ...change('2'), objectId: '' }]),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(calls.flat().flatMap((job) => job.data.events.map((event) => event.objectId))).toEqual(['1']);
  });

  it('sends a group at once when it reaches maxEvents, and later turns in their own addBulk', async () => {
    const { queue, calls } = fakeQueue();
    const coalescer = new IngestCoalescer(queue, { maxEvents: 3 });
    await Promise.all([coalescer.add([change('1'), change('2')]), coalescer.add([change('3'), change('4')])]);
    await coalescer.add([change('5')]);
    expect(calls.map((jobs) => jobs.flatMap((job) => job.data.events).length)).toEqual([4, 1]);
  });

  it('adds nothing for no events', async () => {
    const { queue, calls } = fakeQueue();
    expect(await new IngestCoalescer(queue).add([])).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(0);
  });
});
