import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/domain/ledger-entry.ts';
import { decodeLedgerEntry, encodeLedgerEntry } from '../../../src/store/ledger-codec.ts';
import { LeadLedger, type StoredLedger } from '../../../src/store/lead-ledger.ts';
import { connect, countCalls, deleteKeys, uniquePrefix } from './store-helpers.ts';

const PREFIX = uniquePrefix('ledger-read-many');
const TENANT = 'acme';
let redis: Redis;
let ledger: LeadLedger;

beforeAll(() => {
  redis = connect();
  ledger = new LeadLedger(redis, { prefix: PREFIX });
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

const score = (n: number): LedgerEntry => ({
  type: 'score',
  at: `2026-03-0${1 + (n % 9)}T10:00:01.000Z`,
  sourceTime: '2026-03-01T09:59:40.000Z',
  episode: n % 3,
  cause: 'score',
  actor: 'leadbridge',
  score: n,
  qualified: n >= 50,
});

/** What one LRANGE of the lead's list, decoded element by element, gives: the per-lead read. */
async function readOneByOne(leadKeys: string[]): Promise<StoredLedger[]> {
  const out: StoredLedger[] = [];
  for (const leadKey of leadKeys) {
    const raws = await redis.lrange(ledger.key(TENANT, leadKey), 0, -1);
    const entries = raws.map(decodeLedgerEntry);
    out.push({
      leadKey,
      entries: entries.filter((entry): entry is LedgerEntry => entry !== null),
      corrupt: entries.filter((entry) => entry === null).length,
    });
  }
  return out;
}

describe('LeadLedger.readMany', () => {
  it('reads every lead as a read of that lead alone would, in input order (repeats, empty and corrupt ledgers)', async () => {
    let run = 0;
    const element = fc.oneof(
      fc.nat({ max: 99 }).map((n) => encodeLedgerEntry(score(n))),
      fc.constantFrom('{broken', '', '{"y":"nope"}'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('L1', 'L2', 'L3', 'L4', 'L5'), fc.array(element, { maxLength: 4 })),
        fc.array(fc.constantFrom('L1', 'L2', 'L3', 'L4', 'L5', 'L6'), { maxLength: 12 }),
        async (stored, asked) => {
          run += 1;
          const tenantLeads = (keys: string[]) => keys.map((key) => `${run}-${key}`);
          for (const [leadKey, raws] of Object.entries(stored))
            if (raws.length > 0) await redis.rpush(ledger.key(TENANT, `${run}-${leadKey}`), ...raws);
          expect(await ledger.readMany(TENANT, tenantLeads(asked))).toEqual(
            await readOneByOne(tenantLeads(asked)),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads 2,500 leads in three commands (one per 1,000 leads), each lead in its place', async () => {
    const leadKeys = Array.from({ length: 2_500 }, (_, i) => `bulk-${i}`);
    const pipeline = redis.pipeline();
    leadKeys.forEach((leadKey, i) => {
      if (i % 7 === 0) pipeline.rpush(ledger.key(TENANT, leadKey), encodeLedgerEntry(score(i % 100)));
    });
    await pipeline.exec();
    const counted = connect();
    try {
      const counting = new LeadLedger(counted, { prefix: PREFIX });
      await counting.readMany(TENANT, ['warm-up']); // connected, script cached: the count is the reads alone
      const calls = countCalls(counted);
      const read = await counting.readMany(TENANT, leadKeys);
      expect(calls.commands).toEqual(['evalsha', 'evalsha', 'evalsha']);
      expect(read.map((one) => one.leadKey)).toEqual(leadKeys);
      read.forEach((one, i) =>
        expect(one.entries).toEqual(
          i % 7 === 0 ? [decodeLedgerEntry(encodeLedgerEntry(score(i % 100)))] : [],
        ),
      );
    } finally {
      await counted.quit();
    }
  });
});
