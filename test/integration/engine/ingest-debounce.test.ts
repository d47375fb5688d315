import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueChangeEvents } from '../../../jobs/ingest-queue.ts';
import { startWorkers, type EngineWorkers } from '../../../jobs/workers.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import {
  dropKeys,
  recordingBatch,
  REDIS_URL,
  TENANT,
  testConfig,
  uniquePrefix,
  waitFor,
} from './engine-harness.ts';

const DEBOUNCE_MS = 1_000;

function change(objectId: string, n: number, kind: ChangeEvent['kind'] = 'updated'): ChangeEvent {
  return {
    tenant: TENANT,
    system: 'hubspot',
    objectId,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    kind,
    source: 'webhook',
    dedupKey: `${objectId}-event-${n}`,
  };
}

describe('ingest: dedup and debounce through the real queues', () => {
  const prefix = uniquePrefix('ingest');
  /** While set, a batch waits for it: lets a test act while a batch is running. */
  let hold: Promise<void> | null = null;
  const batch = recordingBatch(async () => {
    if (hold) await hold;
  });
  const callTimes: number[] = [];
  let workers: EngineWorkers;

  beforeAll(async () => {
    workers = await startWorkers(testConfig(`${DEBOUNCE_MS}ms`), {
      redisUrl: REDIS_URL,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      reconcileBatch: async (deps, tenant, refs) => {
        callTimes.push(Date.now());
        return batch(deps, tenant, refs);
      },
      prefix,
      schedulePolls: false,
    });
  });

  afterAll(async () => {
    await workers.close();
    await dropKeys(prefix);
  });

  it('sends the first change of a quiet record at once and coalesces the rest of a burst into one more pass', async () => {
    const startedAt = Date.now();
    const burst = Array.from({ length: 20 }, (_, n) => change('101', n));
    await enqueueChangeEvents(workers.queues.ingest, [...burst, change('202', 0, 'created')]);
    // A redelivery of the same notifications adds no ingest job (deterministic job ids).
    await enqueueChangeEvents(workers.queues.ingest, [...burst, change('202', 0, 'created')]);

    await waitFor(() => batch.calls.flat().length >= 2 && batch.calls.length >= 1);
    await waitFor(async () => (await workers.queues.reconcile.getActiveCount()) === 0);

    await waitFor(async () => (await workers.pending.count(TENANT)) === 0);
    await waitFor(async () => (await workers.queues.reconcile.getActiveCount()) === 0);
    const refs = batch.calls.flat();
    // 20 changes: the first goes out at once, the rest (the record is hot now) in at most one more pass.
    expect(refs.filter((ref) => ref.id === '101').length).toBeGreaterThanOrEqual(1);
    expect(refs.filter((ref) => ref.id === '101').length).toBeLessThanOrEqual(2);
    expect(refs.filter((ref) => ref.id === '202')).toHaveLength(1);
    expect(refs.find((ref) => ref.id === '202')).toMatchObject({
      system: 'hubspot',
      source: 'webhook',
      kind: 'created',
      occurredAt: '2026-01-01T00:00:00.000Z',
    });
    // One delivery of 20 + 1 events, redelivered: one ingest job, at most three batches (the burst's two, and the
    // quiet 202 in the first or at the batch grid's next tick, which jobs now keep to the millisecond
    // instead of a scheduling slot late), the first well before the configured debounce.
    expect(batch.calls.length).toBeLessThanOrEqual(3);
    expect(callTimes[0]! - startedAt).toBeLessThan(DEBOUNCE_MS / 2);
    expect(await workers.pending.count(TENANT)).toBe(0);
    const completed = await workers.queues.ingest.getJobCounts('completed');
    expect(completed.completed).toBe(1);
  });

  it('a change arriving while a batch runs gets its own follow-up job, not lost and not run in parallel', async () => {
    batch.calls.length = 0;
    let release = () => {};
    hold = new Promise((resolve) => (release = resolve));
    await enqueueChangeEvents(workers.queues.ingest, [change('303', 1)]);
    await waitFor(() => batch.calls.length === 1);
    // The first batch is running (held); this change lands after its pop and its schedule is kept for later.
    await enqueueChangeEvents(workers.queues.ingest, [change('303', 2)]);
    await waitFor(async () => (await workers.pending.count(TENANT)) === 1);
    expect(await workers.queues.reconcile.getActiveCount()).toBe(1);
    hold = null;
    release();
    await waitFor(() => batch.calls.length === 2);
    expect(batch.calls.map((refs) => refs.map((ref) => ref.id))).toEqual([['303'], ['303']]);
    await waitFor(async () => (await workers.pending.count(TENANT)) === 0);
  });
});

describe('ingest: sync.debounceMode fixed through the real queues', () => {
  const FIXED_MS = 600;
  const prefix = uniquePrefix('ingest-fixed');
  const batch = recordingBatch(async () => {});
  const callTimes: number[] = [];
  let workers: EngineWorkers;

  beforeAll(async () => {
    const config = testConfig(`${FIXED_MS}ms`);
    workers = await startWorkers(
      { ...config, sync: { ...config.sync, debounceMode: 'fixed' } },
      {
        redisUrl: REDIS_URL,
        logger: silentLogger(),
        metrics: new Metrics({ collectDefaults: false }),
        reconcileBatch: async (deps, tenant, refs) => {
          callTimes.push(Date.now());
          return batch(deps, tenant, refs);
        },
        prefix,
        schedulePolls: false,
      },
    );
  });

  afterAll(async () => {
    await workers.close();
    await dropKeys(prefix);
  });

  it('holds even a quiet record the whole debounce, and changes of one tick share one batch on the grid', async () => {
    // Start just after a grid tick, so the changes below fall within one tick.
    await new Promise((resolve) => setTimeout(resolve, FIXED_MS - (Date.now() % FIXED_MS) + 20));
    const startedAt = Date.now();
    await enqueueChangeEvents(workers.queues.ingest, [change('401', 1), change('402', 1), change('403', 1)]);
    await waitFor(() => batch.calls.flat().length >= 3);
    await waitFor(async () => (await workers.pending.count(TENANT)) === 0);
    expect(batch.calls.map((refs) => refs.map((ref) => ref.id).sort())).toEqual([['401', '402', '403']]);
    // A quiet record waits the whole debounce (the adaptive mode would send it at once) ...
    expect(callTimes[0]! - startedAt).toBeGreaterThanOrEqual(FIXED_MS);
    // ... and the batch runs at the grid tick after it, not later than one scheduling slot past it.
    const tick = Math.ceil((startedAt + FIXED_MS) / FIXED_MS) * FIXED_MS;
    expect(callTimes[0]!).toBeGreaterThanOrEqual(tick);
    expect(callTimes[0]! - tick).toBeLessThan(FIXED_MS);
  });
});
