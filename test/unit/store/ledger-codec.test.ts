import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/domain/ledger-entry.ts';
import { decodeLedgerEntry, encodeLedgerEntry } from '../../../src/store/ledger-codec.ts';

/** Elements as the version before the type codes stored them (from a backfill's ledgers). */
const earlier: Array<[string, LedgerEntry]> = [
  [
    '{"y":"transition","a":1796095992000,"s":1791088866000,"e":0,"c":"seed","u":"leadbridge","f":null,"t":"subscriber","r":"seeded","x":"first seen"}',
    {
      type: 'transition',
      at: '2026-12-01T03:33:12.000Z',
      sourceTime: '2026-10-04T04:41:06.000Z',
      episode: 0,
      cause: 'seed',
      actor: 'leadbridge',
      from: null,
      to: 'subscriber',
      rule: 'seeded',
      reason: 'first seen',
    },
  ],
  [
    '{"y":"breach","a":1796095992000,"s":1789807863000,"e":1,"c":"timer","u":"leadbridge","w":"follow_up","z":1789807863000}',
    {
      type: 'breach',
      at: '2026-12-01T03:33:12.000Z',
      sourceTime: '2026-09-19T08:51:03.000Z',
      episode: 1,
      cause: 'timer',
      actor: 'leadbridge',
      timer: 'follow_up',
      dueAt: '2026-09-19T08:51:03.000Z',
    },
  ],
  [
    '{"y":"score","a":1796095992000,"s":1791088866000,"e":0,"c":"score","u":"leadbridge","p":20,"q":false}',
    {
      type: 'score',
      at: '2026-12-01T03:33:12.000Z',
      sourceTime: '2026-10-04T04:41:06.000Z',
      episode: 0,
      cause: 'score',
      actor: 'leadbridge',
      score: 20,
      qualified: false,
    },
  ],
];

describe('ledger codec', () => {
  it.each(earlier.map(([raw, entry]) => [entry.type, raw, entry] as const))(
    'reads a %s entry stored by the version before, and stores it shorter now',
    (_type, raw, entry) => {
      expect(decodeLedgerEntry(raw)).toEqual(entry);
      const now = encodeLedgerEntry(entry);
      expect(decodeLedgerEntry(now)).toEqual(entry);
      expect(now.length).toBeLessThan(raw.length - 20);
    },
  );

  it("keeps a person's actor and a due time that is not the source time", () => {
    const breach: LedgerEntry = {
      type: 'reminder',
      at: '2026-12-01T03:33:12.000Z',
      sourceTime: '2026-12-01T03:30:00.000Z',
      episode: 1,
      cause: 'timer',
      actor: '0055g0000000002AAA',
      dueAt: '2026-12-01T03:00:00.000Z',
    };
    const stored = encodeLedgerEntry(breach);
    expect(stored).toContain('"u":"0055g0000000002AAA"');
    expect(stored).toContain('"z":');
    expect(decodeLedgerEntry(stored)).toEqual(breach);
  });

  it('refuses an element of an unknown type', () => {
    expect(decodeLedgerEntry('{"y":"Q","a":1,"s":1,"e":0,"c":"seed"}')).toBeNull();
  });
});
