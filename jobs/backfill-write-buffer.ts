import type { TenantConnectors } from '../connectors/index.ts';
import { partialOutcomesOf, withPartialOutcomes } from '../connectors/partial-write.ts';
import type { RecordPatch, WriteOutcome } from '../connectors/types.ts';
import { uniqueEmails, type EmailMatch } from '../connectors/salesforce/email-match.ts';
import {
  COLLECTION_MAX_RECORDS,
  COMPOSITE_MAX_QUERIES,
  EMAIL_LOOKUP_MAX,
} from '../connectors/salesforce/limits.ts';
import { BATCH_MAX_INPUTS } from '../connectors/hubspot/limits.ts';
import type { SystemName } from '../src/domain/lead.ts';

/** Patches per call at each system's cap: a Salesforce collection call, a HubSpot batch. */
export const WRITE_CAPS: Record<SystemName, number> = {
  salesforce: COLLECTION_MAX_RECORDS,
  hubspot: BATCH_MAX_INPUTS,
};

/**
 * Emails per Salesforce lookup call (connectors/salesforce/email-match.ts): two chunks ride in a
 * composite call, each a Lead and a Contact query.
 */
export const LOOKUP_CAP = Math.floor(COMPOSITE_MAX_QUERIES / 2) * EMAIL_LOOKUP_MAX;

/** The call the lookups go out in (a `system:operation`, as the write calls are named). */
const LOOKUP_CALL = 'salesforce:lookup';

/**
 * Longest a partial call waits for more patches before it goes out anyway, in milliseconds: a safety
 * net (the next unit is still being read, or yields to a rep's change); the buffer does not wait when
 * no other unit can join.
 */
export const WRITE_BUFFER_MAX_WAIT_MS = 5_000;

/** The calls the buffer makes: writes to either system, and Salesforce email lookups. */
export interface BufferedCalls {
  write: (system: SystemName, patches: RecordPatch[]) => Promise<WriteOutcome[]>;
  /** Leads and Contacts holding one of `emails` (normalised, unique), as the connector's `findByEmail`. */
  findByEmail: (emails: string[]) => Promise<EmailMatch[]>;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface QueuedBase {
  /** When it was queued (Date.now()): a partial call waits at most `maxWaitMs` from its oldest item. */
  at: number;
  caller: Caller;
}

interface QueuedWrite extends QueuedBase {
  kind: 'write';
  patch: RecordPatch;
  settle: (outcome: Settled<WriteOutcome>) => void;
}

interface QueuedLookup extends QueuedBase {
  kind: 'lookup';
  /** Normalised (trimmed, lower-cased), as `EmailMatch.email` is. */
  email: string;
  settle: (matches: Settled<EmailMatch[]>) => void;
}

/** A patch to write or an email to look up, waiting for its call. */
type Queued = QueuedWrite | QueuedLookup;

interface Caller {
  /** Items (patches, emails) of this caller not yet handed to a call. */
  unsent: number;
}

export interface WriteBufferOptions {
  /** Longest a partial call waits, in milliseconds (default {@link WRITE_BUFFER_MAX_WAIT_MS}). */
  maxWaitMs?: number;
  /** Patches per call, per system (default {@link WRITE_CAPS}). */
  caps?: Record<SystemName, number>;
  /**
   * Writers that may run at once (the backfill's units in flight; default 1). While fewer run and more
   * may come (`end` not called), a partial call waits for the next one, up to `maxWaitMs`.
   */
  capacity?: number;
}

/**
 * A write buffer shared by the reconcile batches a backfill runs at once, per system and operation
 * (creates, updates): patches accumulate and a call goes out as soon as it is full, so batches of a
 * thousand records whose creates are sparse do not each pay a partial call. The Salesforce email lookup
 * before the creates (jobs/reconcile/match-existing.ts) is one more such call: emails of several
 * batches fill one lookup of {@link LOOKUP_CAP}, and each batch gets the matches of its own emails. A
 * batch waiting on a lookup waits on the buffer as one waiting on writes does. A partial call goes out
 * when no patch can join it soon: every batch in flight is waiting on the buffer and either no other
 * batch can start (`capacity` running) or none will (`end`), or `maxWaitMs` passed.
 *
 * Each batch still awaits the outcomes of its own patches before it stores its state and before its
 * checkpoint moves, so crash safety and the per-lead compare-and-set are those of an unbuffered write.
 * A call that fails fails every batch with a patch in it (each gets its own error object, carrying the
 * outcomes of its own patches already written, `partialOutcomesOf`), and each batch is retried whole;
 * a lookup that fails fails every batch with an email in it.
 */
export class WriteBuffer {
  readonly #send: BufferedCalls;
  readonly #caps: Record<SystemName, number>;
  readonly #maxWaitMs: number;
  readonly #lanes = new Map<string, Queued[]>();
  readonly #waiting = new Set<Caller>();
  readonly #capacity: number;
  #active = 0;
  #ended = false;
  #timer: NodeJS.Timeout | undefined;
  /** The call in progress per system's writes, and for the lookups: the next waits for it. */
  readonly #sending: Record<SystemName | typeof LOOKUP_CALL, Promise<void>> = {
    hubspot: Promise.resolve(),
    salesforce: Promise.resolve(),
    [LOOKUP_CALL]: Promise.resolve(),
  };
  /** Calls made, for tests and logs. */
  calls = 0;

  constructor(send: BufferedCalls, options: WriteBufferOptions = {}) {
    this.#send = send;
    this.#caps = options.caps ?? WRITE_CAPS;
    this.#maxWaitMs = options.maxWaitMs ?? WRITE_BUFFER_MAX_WAIT_MS;
    this.#capacity = Math.max(1, options.capacity ?? 1);
  }

  /** No more writers will start (the stream ended): partial calls go out once the running ones wait. */
  end(): void {
    this.#ended = true;
    this.#flushIfIdle();
  }

  /**
   * Runs `work` (one reconcile batch) as a writer of this buffer: while it runs, a partial call waits
   * for it to write too (or to finish) before it goes out.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.#active += 1;
    try {
      return await work();
    } finally {
      this.#active -= 1;
      this.#flushIfIdle();
    }
  }

  /** Writes `patches` to `system` through the buffer; resolves with one outcome per patch, in order. */
  async write(system: SystemName, patches: RecordPatch[]): Promise<WriteOutcome[]> {
    if (patches.length === 0) return [];
    const caller: Caller = { unsent: patches.length };
    const settled = patches.map(
      (patch) =>
        new Promise<{ ok: true; value: WriteOutcome } | { ok: false; error: unknown }>((settle) => {
          // A backward lifecycle move costs HubSpot one more call per call it rides in (its stage is
          // cleared first, connectors/hubspot/writer.ts): such moves fill calls of their own, and join
          // the plain patches only in a partial call.
          const lane = `${system}:${patch.id ? 'update' : 'create'}:${patch.backwardStageMove ? 'backward' : 'plain'}`;
          const queue = this.#lanes.get(lane) ?? [];
          queue.push({ kind: 'write', patch, caller, settle, at: Date.now() });
          this.#lanes.set(lane, queue);
        }),
    );
    this.#queued(caller);
    const results = await Promise.all(settled);
    const failed = results.find((result) => !result.ok);
    if (failed && !failed.ok) {
      // Its own error object: each batch's partial outcomes are its own (a WeakMap keyed by the error).
      const error: unknown =
        typeof failed.error === 'object' && failed.error !== null
          ? Object.create(failed.error as object)
          : failed.error;
      throw withPartialOutcomes(
        error,
        results.map((result) => (result.ok ? result.value : undefined)),
      );
    }
    return results.map((result) => (result as { value: WriteOutcome }).value);
  }

  /**
   * The Salesforce Leads and Contacts holding one of `emails` (compared trimmed, any case), looked up
   * through the buffer: the matches of these emails only, whatever else their call held.
   */
  async findByEmail(emails: string[]): Promise<EmailMatch[]> {
    const unique = uniqueEmails(emails);
    if (unique.length === 0) return [];
    const caller: Caller = { unsent: unique.length };
    const queue = this.#lanes.get(`${LOOKUP_CALL}:emails`) ?? [];
    this.#lanes.set(`${LOOKUP_CALL}:emails`, queue);
    const settled = unique.map(
      (email) =>
        new Promise<Settled<EmailMatch[]>>((settle) =>
          queue.push({ kind: 'lookup', email, caller, settle, at: Date.now() }),
        ),
    );
    this.#queued(caller);
    const results = await Promise.all(settled);
    const failed = results.find((result) => !result.ok);
    if (failed && !failed.ok) throw failed.error;
    return results.flatMap((result) => (result as { value: EmailMatch[] }).value);
  }

  /** `caller` queued its items: full calls go out, and partial ones if nothing else can join them. */
  #queued(caller: Caller): void {
    this.#waiting.add(caller);
    for (const [lane, queue] of this.#lanes) {
      const cap = this.#capOf(callOf(lane));
      while (queue.length >= cap) this.#dispatch(callOf(lane), queue.splice(0, cap));
    }
    this.#flushIfIdle();
    this.#arm();
  }

  #capOf(call: string): number {
    return call === LOOKUP_CALL ? LOOKUP_CAP : this.#caps[call.split(':')[0] as SystemName];
  }

  /**
   * Sends the partial calls of `calls` (`system:operation`; default every one) now, a lane's plain
   * patches and backward moves together.
   */
  flush(calls?: ReadonlySet<string>): void {
    const byCall = new Map<string, Queued[]>();
    for (const [lane, queue] of this.#lanes) {
      const call = callOf(lane);
      if (calls && !calls.has(call)) continue;
      byCall.set(call, [...(byCall.get(call) ?? []), ...queue.splice(0)]);
    }
    for (const [call, items] of byCall) {
      const cap = this.#capOf(call);
      for (let i = 0; i < items.length; i += cap) this.#dispatch(call, items.slice(i, i + cap));
    }
  }

  #flushIfIdle(): void {
    // Every batch in flight is waiting on the buffer and no other can start: nothing more joins a call
    // until one goes out.
    if (this.#waiting.size === 0 || this.#waiting.size < this.#active) return;
    // No batch running (a write outside `run`), or none will start: nothing else can join.
    if (this.#ended || this.#active === 0) this.flush();
    else if (this.#active >= this.#capacity) this.flush(this.#cheapestRelease());
  }

  /**
   * The partial calls to send so that one waiting batch can go on (it finishes, and the next unit,
   * starting, fills the other partial calls): the batch whose release wastes least of Salesforce
   * calls (its daily allocation is the scarcer), then of HubSpot calls, then the oldest.
   */
  #cheapestRelease(): Set<string> {
    const pending = new Map<Caller, Set<string>>();
    for (const [lane, queue] of this.#lanes)
      for (const item of queue) {
        const calls = pending.get(item.caller) ?? new Set<string>();
        calls.add(callOf(lane));
        pending.set(item.caller, calls);
      }
    const queued = new Map<string, number>();
    for (const [lane, queue] of this.#lanes)
      queued.set(callOf(lane), (queued.get(callOf(lane)) ?? 0) + queue.length);
    // A partial call of n items costs the share of a call it leaves unfilled (1 - n/cap): the items
    // after it fill calls of their own as before, so sending the fullest one wastes least.
    const cost = (calls: Set<string>) =>
      [...calls].reduce(
        (sum, call) =>
          sum +
          (call.startsWith('salesforce') ? 1_000 : 1) *
            Math.max(0, 1 - (queued.get(call) ?? 0) / this.#capOf(call)),
        0,
      );
    let best: Set<string> | undefined;
    for (const caller of this.#waiting) {
      const calls = pending.get(caller);
      if (calls && (!best || cost(calls) < cost(best))) best = calls;
    }
    return best ?? new Set();
  }

  /**
   * Sets the wait to end `maxWaitMs` after the oldest patch still queued. Kept from the first patch
   * ever queued instead, it ran out while full calls kept leaving and sent the newest batch's leftover
   * as a partial call (five extra Salesforce calls in a backfill of 10,000 contacts). When it ends,
   * only the calls that waited that long go out: a HubSpot update waiting since the last unit once took
   * a lookup queued a moment before along with it.
   */
  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#maxWaitMs <= 0) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const queue of this.#lanes.values()) if (queue[0]) oldest = Math.min(oldest, queue[0].at);
    if (oldest === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.flush(this.#overdue());
        this.#arm();
      },
      Math.max(0, oldest + this.#maxWaitMs - Date.now()),
    );
    this.#timer.unref();
  }

  /** The calls holding an item queued `maxWaitMs` ago or earlier. */
  #overdue(): Set<string> {
    const due = Date.now() - this.#maxWaitMs;
    const calls = new Set<string>();
    for (const [lane, queue] of this.#lanes) if (queue[0] && queue[0].at <= due) calls.add(callOf(lane));
    return calls;
  }

  #dispatch(call: string, items: Queued[]): void {
    if (items.length === 0) return;
    for (const item of items) {
      item.caller.unsent -= 1;
      if (item.caller.unsent === 0) this.#waiting.delete(item.caller);
    }
    this.#arm();
    this.calls += 1;
    // A call holds one kind (its lane's): the filters only narrow the type.
    if (call === LOOKUP_CALL)
      this.#lookUp(items.filter((item): item is QueuedLookup => item.kind === 'lookup'));
    else
      this.#write(
        call.split(':')[0] as SystemName,
        items.filter((item): item is QueuedWrite => item.kind === 'write'),
      );
  }

  /** One lookup call for `items`' emails (each asked once); each item settles with its email's matches. */
  #lookUp(items: QueuedLookup[]): void {
    const sent = this.#sending[LOOKUP_CALL].then(() =>
      this.#send.findByEmail([...new Set(items.map((item) => item.email))]),
    );
    this.#sending[LOOKUP_CALL] = sent.then(
      () => undefined,
      () => undefined,
    );
    sent.then(
      (matches) => {
        const byEmail = new Map<string, EmailMatch[]>();
        for (const match of matches) byEmail.set(match.email, [...(byEmail.get(match.email) ?? []), match]);
        for (const item of items) item.settle({ ok: true, value: byEmail.get(item.email) ?? [] });
      },
      (error: unknown) => {
        for (const item of items) item.settle({ ok: false, error });
      },
    );
  }

  #write(system: SystemName, items: QueuedWrite[]): void {
    // One call at a time per system, in the order they filled, as the connectors' own chunking does: a
    // crash leaves at most one call's outcome unseen, and the API sees no burst of parallel writes.
    const sent = this.#sending[system].then(() =>
      this.#send.write(
        system,
        items.map((item) => item.patch),
      ),
    );
    this.#sending[system] = sent.then(
      () => undefined,
      () => undefined,
    );
    sent.then(
      (outcomes) =>
        items.forEach((item, i) => {
          const outcome = outcomes[i];
          if (outcome) item.settle({ ok: true, value: outcome });
          else item.settle({ ok: false, error: new Error(`${system} returned no outcome`) });
        }),
      (error: unknown) => {
        const partial = partialOutcomesOf(error);
        items.forEach((item, i) => {
          const outcome = partial[i];
          // Written before the call failed: the batch links it, and its retry updates that record.
          if (outcome) item.settle({ ok: true, value: outcome });
          else item.settle({ ok: false, error });
        });
      },
    );
  }
}

/** The call a lane's patches go out in (`system:operation`): plain patches and backward moves share it. */
function callOf(lane: string): string {
  return lane.slice(0, lane.lastIndexOf(':'));
}

/**
 * `connectors` with their `write`, and Salesforce's `findByEmail`, going through `buffer`; every other
 * member is the connector's own (bound to it, so its private state stays its own).
 */
export function bufferedConnectors(connectors: TenantConnectors, buffer: WriteBuffer): TenantConnectors {
  const wrap = <C extends object>(connector: C, system: SystemName): C =>
    new Proxy(connector, {
      get(target, property) {
        if (property === 'write') return (patches: RecordPatch[]) => buffer.write(system, patches);
        if (property === 'findByEmail' && system === 'salesforce')
          return (emails: string[]) => buffer.findByEmail(emails);
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  return {
    hubspot: wrap(connectors.hubspot, 'hubspot'),
    salesforce: wrap(connectors.salesforce, 'salesforce'),
  };
}
