import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchDelayMs,
  debounceDelayMs,
  heatAfterChange,
  heatHalfLifeMs,
} from '../../../src/domain/adaptive-debounce.ts';
import { laneOf } from '../../../src/domain/reconcile-lane.ts';
import { shardOf } from '../../../src/domain/shard.ts';

const MAX = 2_000;
const HALF = heatHalfLifeMs(MAX);

describe('adaptive debounce', () => {
  it('sends the first change of a quiet record at once', () => {
    const heat = heatAfterChange(null, 1_000, HALF);
    expect(heat).toEqual({ count: 1, atMs: 1_000 });
    expect(debounceDelayMs(heat.count, MAX)).toBe(0);
    // Quiet again after a long pause: at once again.
    expect(debounceDelayMs(heatAfterChange(heat, 1_000 + 20 * HALF, HALF).count, MAX)).toBe(0);
  });

  it('coalesces a record that keeps changing, up to the configured debounce', () => {
    let heat = heatAfterChange(null, 0, HALF);
    const delays: number[] = [];
    for (let n = 1; n <= 6; n++) {
      heat = heatAfterChange(heat, n * 50, HALF);
      delays.push(debounceDelayMs(heat.count, MAX));
    }
    expect(delays[0]).toBeGreaterThanOrEqual(450);
    expect(delays[1]).toBeGreaterThanOrEqual(900);
    expect(delays.at(-1)).toBe(MAX);
  });

  it('property: the delay stays within [0, debounce] and never falls as the heat rises', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 0, max: 60_000 }),
        (a, b, max) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const lowDelay = debounceDelayMs(low, max);
          const highDelay = debounceDelayMs(high, max);
          expect(lowDelay).toBeGreaterThanOrEqual(0);
          expect(highDelay).toBeLessThanOrEqual(max);
          expect(highDelay).toBeGreaterThanOrEqual(lowDelay);
        },
      ),
    );
  });

  it('property: heat grows by at most one per change and decays with time, never below one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 50 }), (gaps) => {
        let heat = heatAfterChange(null, 0, HALF);
        let at = 0;
        for (const gap of gaps) {
          at += gap;
          const next = heatAfterChange(heat, at, HALF);
          expect(next.count).toBeGreaterThanOrEqual(1);
          expect(next.count).toBeLessThanOrEqual(heat.count + 1 + 1e-9);
          heat = next;
        }
        expect(heat.count).toBeLessThanOrEqual(gaps.length + 1);
      }),
    );
  });

  it('property: at a steady rate of one change every g ms, the wait settles at a bounded value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 20_000 }), (gap) => {
        let heat = heatAfterChange(null, 0, HALF);
        for (let n = 1; n < 200; n++) heat = heatAfterChange(heat, n * gap, HALF);
        // The fixed point of count = count * 2^(-gap/half) + 1.
        const fixed = 1 / (1 - 2 ** (-gap / HALF));
        expect(heat.count).toBeCloseTo(fixed, 3);
        if (gap >= 2 * HALF) expect(debounceDelayMs(heat.count, MAX)).toBe(0);
      }),
    );
  });
});

describe('batch grid', () => {
  it('leaves a quiet tenant alone: the delay is the record’s own', () => {
    expect(batchDelayMs(10_000, 0, null, 500)).toBe(0);
    expect(batchDelayMs(10_000, 0, 8_000, 500)).toBe(0);
  });

  it('property: a busy tenant’s change waits for the next grid tick at or after its own delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        (now, own, sinceLastBatch, linger) => {
          const delay = batchDelayMs(now, own, now - sinceLastBatch, linger);
          if (sinceLastBatch > 2 * linger) {
            expect(delay).toBe(own);
            return;
          }
          expect(delay).toBeGreaterThanOrEqual(own);
          expect(delay - own).toBeLessThan(linger);
          expect((now + delay) % linger).toBe(0);
        },
      ),
    );
  });
});

describe('lanes', () => {
  it('puts a rep change in Salesforce and an SLA timer in the rep lane, the rest in routine', () => {
    expect(laneOf({ system: 'salesforce', source: 'outbound_message' })).toBe('rep');
    expect(laneOf({ system: 'hubspot', source: 'timer' })).toBe('rep');
    expect(laneOf({ system: 'hubspot', source: 'webhook' })).toBe('routine');
    expect(laneOf({ system: 'salesforce', source: 'poll' })).toBe('routine');
    expect(laneOf({ system: 'hubspot', source: 'manual' })).toBe('routine');
  });
});

describe('shards', () => {
  it('property: a key always lands in the same shard, within range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, shards) => {
        const shard = shardOf(key, shards);
        expect(shard).toBe(shardOf(key, shards));
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(shards);
      }),
    );
  });

  it('spreads lead keys over the shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) counts[shardOf(`lead-${i}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
