import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RecordFailure } from '../../../jobs/engine.ts';
import { reconcileProcessor } from '../../../jobs/reconcile-processor.ts';
import { syncOnce } from '../../../jobs/sync-once.ts';
import {
  emptyResult,
  recordingBatch,
  startEngineHarness,
  TENANT,
  type EngineHarness,
} from './engine-harness.ts';

function failure(recordId: string, code: string, retryable: boolean): RecordFailure {
  return {
    tenant: TENANT,
    leadKey: `lead-${recordId}`,
    system: 'hubspot',
    recordId,
    code,
    message:
      code === 'STATE_CONFLICT' ? 'sync state changed concurrently 3 times; reconcile again later' : 'no',
    retryable,
  };
}

/** c1, c2, c3 pending; a batch where c2's state kept changing under it and c3 failed for good. */
async function pendingC1toC3WithC2Contested(harness: EngineHarness) {
  await harness.pending.add(
    TENANT,
    ['c1', 'c2', 'c3'].map((id) => ({ system: 'hubspot' as const, id })),
    Date.now() - 1_000,
  );
  return recordingBatch(async (refs) => ({
    ...emptyResult(TENANT, refs),
    failures: [failure('c2', 'STATE_CONFLICT', true), failure('c3', 'INVALID_EMAIL_ADDRESS', false)],
  }));
}

describe('a lead another writer kept changing during a worker batch', () => {
  const harness = startEngineHarness('state-conflict');
  afterAll(() => harness.close());
  afterEach(async () => {
    await harness.pending.popDue(TENANT, Date.now() + 60_000, 1_000);
  });

  it('goes back into pending for the next batch instead of being dropped', async () => {
    const batch = await pendingC1toC3WithC2Contested(harness);
    const scheduled: number[] = [];
    const process = reconcileProcessor({
      engine: harness.engine,
      pending: harness.pending,
      reconcileBatch: batch,
      schedule: async (_tenant, delayMs) => {
        scheduled.push(delayMs);
      },
    });

    await process({ data: { tenant: TENANT, shard: 0 }, opts: {} } as never);

    expect(batch.calls).toHaveLength(1);
    // c2's change was never reconciled by anyone who saw it: it waits for the next batch, with a job for
    // it. c3's failure is permanent (parked in the trail), c1 is done: neither is pending.
    const again = await harness.pending.popDue(TENANT, Date.now() + 1_000, 10);
    expect(again.map((ref) => ref.id)).toEqual(['c2']);
    expect(scheduled.some((delayMs) => delayMs <= 1_000)).toBe(true);
  });
});

describe('a lead another writer kept changing during `sync --once`', () => {
  const harness = startEngineHarness('state-conflict-once');
  afterAll(() => harness.close());

  it('is left pending for the workers or the next run, and reported', async () => {
    const batch = await pendingC1toC3WithC2Contested(harness);

    // The harness's connectors point nowhere: both polls fail at once and are reported; the pending
    // records are reconciled all the same.
    const summary = await syncOnce(harness, batch, { maxAttempts: 1, sleep: async () => {} });

    expect(batch.calls).toHaveLength(1);
    expect(summary.failures.map((failure) => failure.code)).toEqual(
      expect.arrayContaining(['STATE_CONFLICT', 'INVALID_EMAIL_ADDRESS']),
    );
    const again = await harness.pending.popDue(TENANT, Date.now() + 1_000, 10);
    expect(again.map((ref) => ref.id)).toEqual(['c2']);
  });
});
