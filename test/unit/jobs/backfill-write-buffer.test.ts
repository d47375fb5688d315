import { describe, expect, it } from 'vitest';
import { partialOutcomesOf, withPartialOutcomes } from '../../../connectors/partial-write.ts';
import type { EmailMatch } from '../../../connectors/salesforce/email-match.ts';
import type { RecordPatch, WriteOutcome } from '../../../connectors/types.ts';
import { RetryableError } from '../../../src/errors/index.ts';
import type { SystemName } from '../../../src/domain/lead.ts';
import { WriteBuffer } from '../../../jobs/backfill-write-buffer.ts';

const CAPS = { salesforce: 4, hubspot: 3 };

function creates(prefix: string, n: number): RecordPatch[] {
  return Array.from({ length: n }, (_, i) => ({ fields: { email: `${prefix}${i}@example.com` } }));
}

function updates(prefix: string, n: number, backward = false): RecordPatch[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    fields: { score: 1 },
    ...(backward ? { backwardStageMove: true } : {}),
  }));
}

/** A send that records each call and answers every patch written (creates get an id). */
function recorder() {
  const calls: Array<{ system: SystemName; patches: RecordPatch[] }> = [];
  const send = async (system: SystemName, patches: RecordPatch[]): Promise<WriteOutcome[]> => {
    calls.push({ system, patches });
    return patches.map((patch) => ({
      ok: true,
      id: patch.id ?? `new-${String(patch.fields.email)}`,
      created: !patch.id,
    }));
  };
  return { calls, send };
}

const noLookups = async (): Promise<EmailMatch[]> => {
  throw new Error('no lookup expected');
};

function emails(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);
}

/** A lookup that records each call and finds, for every email, a Lead (and a Contact for `both*` ones). */
function lookupRecorder() {
  const lookups: string[][] = [];
  const findByEmail = async (asked: string[]): Promise<EmailMatch[]> => {
    lookups.push(asked);
    return asked.flatMap((email): EmailMatch[] => {
      const found = {
        email,
        converted: false,
        convertedContactId: null,
        modifiedAt: '2026-01-01T00:00:00.000Z',
      };
      return [
        { ...found, objectType: 'Lead', id: `L-${email}` },
        ...(email.startsWith('both') ? [{ ...found, objectType: 'Contact' as const, id: `C-${email}` }] : []),
      ];
    });
  };
  return { lookups, findByEmail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteBuffer', () => {
  it('fills calls across batches: two batches of 3 creates cost 2 calls of 4 + 2, not 4 partial ones', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 2, maxWaitMs: 0 },
    );
    const a = buffer.run(() => buffer.write('salesforce', creates('a', 3)));
    const b = buffer.run(() => buffer.write('salesforce', creates('b', 3)));
    buffer.end();
    const [outA, outB] = await Promise.all([a, b]);
    expect(calls.map((call) => call.patches.length)).toEqual([4, 2]);
    expect(outA.map((o) => o.ok && o.id)).toEqual([
      'new-a0@example.com',
      'new-a1@example.com',
      'new-a2@example.com',
    ]);
    expect(outB.map((o) => o.ok && o.id)).toEqual([
      'new-b0@example.com',
      'new-b1@example.com',
      'new-b2@example.com',
    ]);
  });

  it('keeps creates and updates in calls of their own, per system', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 1, maxWaitMs: 0 },
    );
    await buffer.run(() =>
      Promise.all([
        buffer.write('salesforce', [...creates('a', 2), ...updates('u', 2)]),
        buffer.write('hubspot', updates('h', 2)),
      ]),
    );
    expect(
      calls.map((call) => `${call.system}:${call.patches.map((p) => p.id ?? 'new').join(',')}`).sort(),
    ).toEqual(['hubspot:h0,h1', 'salesforce:new,new', 'salesforce:u0,u1']);
  });

  it('waits for a batch still running rather than sending a partial call, and sends once every batch waits', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 2, maxWaitMs: 0 },
    );
    let release!: () => void;
    const slow = buffer.run(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return buffer.write('salesforce', creates('b', 1));
    });
    const fast = buffer.run(() => buffer.write('salesforce', creates('a', 1)));
    await tick();
    expect(calls).toEqual([]);
    release();
    await Promise.all([slow, fast]);
    expect(calls.map((call) => call.patches.length)).toEqual([2]);
  });

  it('sends a partial call when fewer batches run than may, once the stream ended or the wait passed', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 2, maxWaitMs: 0 },
    );
    const one = buffer.run(() => buffer.write('salesforce', creates('a', 1)));
    await tick();
    // One batch of two may run: the next unit may still join.
    expect(calls).toEqual([]);
    buffer.end();
    await one;
    expect(calls.map((call) => call.patches.length)).toEqual([1]);

    const timed = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 2, maxWaitMs: 20 },
    );
    await timed.run(() => timed.write('hubspot', creates('t', 1)));
    expect(calls.map((call) => call.patches.length)).toEqual([1, 1]);
  });

  it('times the wait from the oldest patch still queued, not from the first one ever queued', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 3, maxWaitMs: 600 },
    );
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // At 0 ms a batch queues 5 (one full call goes, 1 waits); at 200 ms the next queues 4 (a full call
    // takes the 1 and 3 of them; 1 waits); at 700 ms the third queues 3: the 1 waiting since 200 ms
    // fills a full call with them. A wait kept from the first patch (600 ms from 0) sent it alone.
    const a = buffer.run(() => buffer.write('salesforce', creates('a', 5)));
    const b = buffer.run(async () => {
      await sleep(200);
      return buffer.write('salesforce', creates('b', 4));
    });
    const c = buffer.run(async () => {
      await sleep(700);
      return buffer.write('salesforce', creates('c', 3));
    });
    await Promise.all([a, b, c]);
    buffer.end();
    expect(calls.map((call) => call.patches.length)).toEqual([4, 4, 4]);
  });

  it('when every batch waits, releases the one whose partial calls are HubSpot ones before a Salesforce one', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 2, maxWaitMs: 0 },
    );
    const sf = buffer.run(() => buffer.write('salesforce', creates('s', 1)));
    const hs = buffer.run(() => buffer.write('hubspot', updates('h', 1)));
    await hs;
    expect(calls.map((call) => call.system)).toEqual(['hubspot']);
    buffer.end();
    await sf;
    expect(calls.map((call) => call.system)).toEqual(['hubspot', 'salesforce']);
  });

  it('keeps HubSpot backward stage moves out of full calls of plain updates (each such call costs one more)', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 1, maxWaitMs: 0 },
    );
    await buffer.run(() => buffer.write('hubspot', [...updates('p', 4), ...updates('b', 2, true)]));
    expect(calls.map((call) => call.patches.map((p) => p.id).join(','))).toEqual(['p0,p1,p2', 'p3,b0,b1']);
  });

  it('fails every batch with a patch in a failed call, each with its own patches already written', async () => {
    const failure = new RetryableError('503 from Salesforce');
    const send = async (_system: SystemName, patches: RecordPatch[]): Promise<WriteOutcome[]> => {
      // The first record of the call was created before the call failed.
      throw withPartialOutcomes(failure, [
        { ok: true, id: `new-${String(patches[0]?.fields.email)}`, created: true },
      ]);
    };
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 2, maxWaitMs: 0 },
    );
    const a = buffer.run(() => buffer.write('salesforce', creates('a', 2)));
    const b = buffer.run(() => buffer.write('salesforce', creates('b', 2)));
    const [errA, errB] = await Promise.all([a.catch((e: unknown) => e), b.catch((e: unknown) => e)]);
    expect(errA).toBeInstanceOf(RetryableError);
    expect(errB).toBeInstanceOf(RetryableError);
    expect((errA as Error).message).toBe('503 from Salesforce');
    expect(partialOutcomesOf(errA).map((o) => o?.ok && o.id)).toEqual(['new-a0@example.com', undefined]);
    expect(partialOutcomesOf(errB)).toEqual([]);
  });

  it('writes at once outside a batch (nothing else can join)', async () => {
    const { calls, send } = recorder();
    const buffer = new WriteBuffer(
      { write: send, findByEmail: noLookups },
      { caps: CAPS, capacity: 2, maxWaitMs: 10_000 },
    );
    await buffer.write('salesforce', creates('a', 1));
    expect(calls).toHaveLength(1);
  });

  it('looks up the emails of two batches (150 + 150) in one call, each getting the matches of its own emails', async () => {
    const { calls, send } = recorder();
    const { lookups, findByEmail } = lookupRecorder();
    const buffer = new WriteBuffer({ write: send, findByEmail }, { capacity: 2, maxWaitMs: 10_000 });
    const a = buffer.run(() => buffer.findByEmail([...emails('a', 149), ' BOTH@example.com']));
    const b = buffer.run(() => buffer.findByEmail(emails('b', 150)));
    const [foundA, foundB] = await Promise.all([a, b]);
    // Both batches wait on the buffer and no third may start: the partial call goes out, and only one.
    expect(lookups.map((asked) => asked.length)).toEqual([300]);
    expect(buffer.calls).toBe(1);
    expect(calls).toEqual([]);
    // Matched per normalised email, as the connector matches them.
    expect(foundA.map((match) => match.id)).toEqual([
      ...emails('a', 149).map((email) => `L-${email}`),
      'L-both@example.com',
      'C-both@example.com',
    ]);
    expect(foundB.map((match) => match.id)).toEqual(emails('b', 150).map((email) => `L-${email}`));
  });

  it('fills a lookup call at 400 emails and sends it at once, the rest waiting to fill the next', async () => {
    const { calls, send } = recorder();
    const { lookups, findByEmail } = lookupRecorder();
    const buffer = new WriteBuffer({ write: send, findByEmail }, { capacity: 3, maxWaitMs: 10_000 });
    const a = buffer.run(() => buffer.findByEmail(emails('a', 250)));
    const b = buffer.run(() => buffer.findByEmail(emails('b', 250)));
    await tick();
    expect(lookups.map((asked) => asked.length)).toEqual([400]);
    buffer.end();
    const [foundA, foundB] = await Promise.all([a, b]);
    expect(lookups.map((asked) => asked.length)).toEqual([400, 100]);
    expect(foundA).toHaveLength(250);
    expect(foundB.map((match) => match.email)).toEqual(emails('b', 250));
    expect(calls).toEqual([]);
  });

  it('asks once for an email two batches look up, and gives each batch its matches', async () => {
    const { send } = recorder();
    const { lookups, findByEmail } = lookupRecorder();
    const buffer = new WriteBuffer({ write: send, findByEmail }, { capacity: 2, maxWaitMs: 10_000 });
    const [foundA, foundB] = await Promise.all([
      buffer.run(() => buffer.findByEmail(['same@example.com', 'a@example.com'])),
      buffer.run(() => buffer.findByEmail(['Same@Example.com'])),
    ]);
    expect(lookups).toEqual([['same@example.com', 'a@example.com']]);
    expect(foundA.map((match) => match.id)).toEqual(['L-same@example.com', 'L-a@example.com']);
    expect(foundB.map((match) => match.id)).toEqual(['L-same@example.com']);
  });

  it('sends a partial lookup when every running batch waits on the buffer, one of them on writes', async () => {
    const { calls, send } = recorder();
    const { lookups, findByEmail } = lookupRecorder();
    // A wait long enough that only the buffer's own accounting can release them within the test.
    const buffer = new WriteBuffer({ write: send, findByEmail }, { capacity: 2, maxWaitMs: 60_000 });
    // The lookup's call is the fuller (300 of 400 against 1 of 200): it goes out, the write waits.
    const lookingUp = buffer.run(() => buffer.findByEmail(emails('a', 300)));
    const writing = buffer.run(() => buffer.write('salesforce', creates('b', 1)));
    await lookingUp;
    expect(lookups).toEqual([emails('a', 300)]);
    expect(calls).toEqual([]);
    buffer.end();
    await writing;
    expect(calls.map((call) => call.patches.length)).toEqual([1]);

    const alone = new WriteBuffer({ write: send, findByEmail }, { capacity: 1, maxWaitMs: 60_000 });
    await alone.run(() => alone.findByEmail(emails('c', 1)));
    expect(lookups).toHaveLength(2);
  });

  it('fails every batch with an email in a failed lookup call (each retried whole)', async () => {
    const failure = new RetryableError('503 from Salesforce');
    const findByEmail = async (): Promise<EmailMatch[]> => {
      throw failure;
    };
    const buffer = new WriteBuffer({ write: recorder().send, findByEmail }, { capacity: 2, maxWaitMs: 0 });
    const a = buffer.run(() => buffer.findByEmail(emails('a', 2)));
    const b = buffer.run(() => buffer.findByEmail(emails('b', 2)));
    await expect(a).rejects.toBe(failure);
    await expect(b).rejects.toBe(failure);
  });

  it('when every batch waits on a partial Salesforce call, sends the fullest one (it leaves least unfilled)', async () => {
    const { calls, send } = recorder();
    const { lookups, findByEmail } = lookupRecorder();
    const buffer = new WriteBuffer({ write: send, findByEmail }, { capacity: 2, maxWaitMs: 60_000 });
    const lookingUp = buffer.run(() => buffer.findByEmail(emails('a', 10)));
    const writing = buffer.run(() => buffer.write('salesforce', creates('b', 190)));
    await writing;
    expect(calls.map((call) => call.patches.length)).toEqual([190]);
    expect(lookups).toEqual([]);
    buffer.end();
    await lookingUp;
    expect(lookups.map((asked) => asked.length)).toEqual([10]);
  });

  it('when the wait of one call runs out, sends that call only, not the younger partial calls of others', async () => {
    const { calls, send } = recorder();
    const { lookups, findByEmail } = lookupRecorder();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Three may run, two do: no batch is released for lack of company, only by the wait.
    const buffer = new WriteBuffer({ write: send, findByEmail }, { capacity: 3, maxWaitMs: 200 });
    const writing = buffer.run(() => buffer.write('hubspot', updates('h', 1)));
    const lookingUp = buffer.run(async () => {
      await sleep(150);
      return buffer.findByEmail(emails('a', 1));
    });
    await writing;
    expect(calls.map((call) => call.system)).toEqual(['hubspot']);
    expect(lookups).toEqual([]);
    await lookingUp;
    expect(lookups).toEqual([['a0@example.com']]);
  });
});
