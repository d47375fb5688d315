import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCHEDULE_SLOT_MS, SLOT_TOLERANCE_MS, scheduleSlot } from '../../../jobs/reconcile-queue.ts';

const W = SCHEDULE_SLOT_MS;

describe('scheduleSlot', () => {
  it('runs a job due now at once', () => {
    expect(scheduleSlot(10_010, 0, W, SLOT_TOLERANCE_MS)).toEqual({ slot: 40, runAt: 10_010 });
  });

  it('runs a delayed job at the end of the slot its time falls in', () => {
    expect(scheduleSlot(10_000, 100, W, SLOT_TOLERANCE_MS)).toEqual({ slot: 41, runAt: 10_250 });
    expect(scheduleSlot(10_000, 300, W, SLOT_TOLERANCE_MS)).toEqual({ slot: 42, runAt: 10_500 });
  });

  it('runs a delay aimed at a slot boundary, computed a few ms before it was added, at that boundary', () => {
    // Ingest aimed at the grid tick 10_500 from 10_000 (500 ms); the job is added 3 ms later.
    expect(scheduleSlot(10_003, 500, W, SLOT_TOLERANCE_MS).runAt).toBe(10_500);
    // Without a tolerance (the lease slots) it waits for the next slot.
    expect(scheduleSlot(10_003, 500, W, 0).runAt).toBe(10_750);
  });

  it('never runs more than the tolerance before the requested time, nor later than one slot after it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 1, max: 120_000 }),
        (nowMs, delayMs) => {
          const { runAt } = scheduleSlot(nowMs, delayMs, W, SLOT_TOLERANCE_MS);
          expect(runAt).toBeGreaterThanOrEqual(nowMs + delayMs - SLOT_TOLERANCE_MS);
          expect(runAt).toBeLessThan(nowMs + delayMs + W);
          expect(runAt).toBeGreaterThanOrEqual(nowMs);
        },
      ),
    );
  });
});
