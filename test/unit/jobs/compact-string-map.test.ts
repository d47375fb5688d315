import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBatchResult } from '../../../jobs/batch-totals.ts';
import { emptyBackfillSummary } from '../../../jobs/backfill.ts';
import { CompactStringMap, type PutResult } from '../../../jobs/compact-string-map.ts';

/** V8 heap in use after a full GC, in bytes (what a long run keeps live). */
function liveHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A lead key as src/store/lead-key.ts makes them: `lb_`, 10 time characters, 16 random ones. */
function leadKey(i: number): string {
  return `lb_${String(i).padStart(10, '0')}${randomBytes(10).toString('base64url').slice(0, 16)}`;
}

describe('CompactStringMap', () => {
  it('says whether a key is new, holds the same value, or another one', () => {
    const map = new CompactStringMap();
    expect(map.put('101', '2026-11-30T10:00:00.000Z')).toBe('added');
    expect(map.put('101', '2026-11-30T10:00:00.000Z')).toBe('unchanged');
    expect(map.put('101', '2026-11-30T10:00:01.000Z')).toBe('changed');
    expect(map.put('101', '2026-11-30T10:00:01.000Z')).toBe('unchanged');
    expect(map.put('1010', '2026-11-30T10:00:01.000Z')).toBe('added');
    expect(map.put('')).toBe('added');
    expect(map.put('')).toBe('unchanged');
    expect(map.size).toBe(3);
  });

  it('tells apart keys whose bytes differ only past ASCII, and keys from their values', () => {
    const map = new CompactStringMap();
    expect(map.put('acme\u0000lb_é', 'x')).toBe('added');
    expect(map.put('acme\u0000lb_è', 'x')).toBe('added');
    expect(map.put('acme\u0000lb_é', 'x')).toBe('unchanged');
    expect(map.put('ab', 'c')).toBe('added');
    expect(map.put('a', 'bc')).toBe('added');
    expect(map.put('😀'.repeat(200), 'long')).toBe('added');
    expect(map.put('😀'.repeat(200), 'long')).toBe('unchanged');
    expect(map.size).toBe(5);
  });

  it('answers as a Map of the last value per key would, through many growths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom('', 'a', 'b', 'é')), {
          maxLength: 3_000,
        }),
        (puts) => {
          const map = new CompactStringMap();
          const model = new Map<string, string>();
          for (const [key, value] of puts) {
            const before = model.get(key);
            const expected: PutResult =
              before === undefined ? 'added' : before === value ? 'unchanged' : 'changed';
            model.set(key, value);
            if (map.put(key, value) !== expected) return false;
          }
          return map.size === model.size;
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a key over 65,535 bytes rather than cut it', () => {
    expect(() => new CompactStringMap().put('x'.repeat(70_000))).toThrow(RangeError);
  });

  it('holds 200,000 record ids and versions in under half the memory a Map of them keeps on the V8 heap', () => {
    const id = (i: number) => String(100_000_000 + i * 7);
    const version = (i: number) => new Date(1.7e12 + i).toISOString();
    let before = liveHeap();
    const plain = new Map<string, string>();
    for (let i = 0; i < 200_000; i++) plain.set(id(i), version(i));
    const plainHeap = liveHeap() - before;
    expect(plain.size).toBe(200_000);
    plain.clear();

    before = liveHeap();
    const map = new CompactStringMap();
    for (let i = 0; i < 200_000; i++) map.put(id(i), version(i));
    const heap = liveHeap() - before;
    expect(map.size).toBe(200_000);
    // Off the heap, so not doubled by the heap's growth between full GCs either (src/cli/batch-heap.ts).
    expect(heap).toBeLessThan(1024 * 1024);
    expect(map.byteLength + heap).toBeLessThan(plainHeap / 2);
  });
});

describe('addBatchResult distinct leads', () => {
  it('counts each lead of a tenant once across batches, and the same key of two tenants twice', () => {
    const totals = emptyBackfillSummary();
    const batch = (tenant: string, leadKeys: string[]) => ({
      tenant,
      leads: leadKeys.length,
      leadKeys,
      unchanged: 0,
      written: { hubspot: 0, salesforce: 0 },
      created: { hubspot: 0, salesforce: 0 },
      conflicts: 0,
      failures: [],
    });
    addBatchResult(totals, batch('acme', ['lb_a', 'lb_b']));
    addBatchResult(totals, batch('acme', ['lb_b', 'lb_c']));
    addBatchResult(totals, batch('globex', ['lb_a']));
    expect(totals.leads).toBe(4);
    expect(totals.reconciles).toBe(5);
  });

  it('keeps the distinct leads of a 200,000-lead backfill in under 2 MB of V8 heap', () => {
    const totals = emptyBackfillSummary();
    const before = liveHeap();
    for (let batch = 0; batch < 200; batch++) {
      const leadKeys = Array.from({ length: 1_000 }, (_, i) => leadKey(batch * 1_000 + i));
      addBatchResult(totals, {
        tenant: 'acme',
        leads: leadKeys.length,
        leadKeys,
        unchanged: 0,
        written: { hubspot: 0, salesforce: 0 },
        created: { hubspot: 0, salesforce: 0 },
        conflicts: 0,
        failures: [],
      });
    }
    const heap = liveHeap() - before;
    expect(totals.leads).toBe(200_000);
    // The Set of `${tenant}\0${key}` strings it replaced held 42 MB of V8 heap here (210 bytes per lead).
    expect(heap).toBeLessThan(2 * 1024 * 1024);
  });
});
