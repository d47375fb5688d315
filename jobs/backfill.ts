import { setTimeout as sleep } from 'node:timers/promises';
import { backfillCursor } from '../connectors/salesforce/cursor.ts';
import type { SystemRecord } from '../connectors/types.ts';
import { durationMs } from '../src/domain/duration.ts';
import { SystemName } from '../src/domain/lead.ts';
import type { BackfillCheckpoint } from '../src/store/cursors.ts';
import { addBatchResult, type BatchTotals } from './batch-totals.ts';
import { batchFailure, withRetries, type RetryOptions } from './batch-retry.ts';
import type { EngineDeps, ReconcileBatch } from './engine.ts';
import { bufferedConnectors, WriteBuffer } from './backfill-write-buffer.ts';
import { CompactStringMap } from './compact-string-map.ts';
import type { EngineRuntime } from './engine-runtime.ts';
import { countRecords, etaSeconds } from './backfill-totals.ts';
import { rideOutRedisOutage, type RedisOutageOptions } from './redis-outage.ts';
import { yieldToLanes, type YieldOptions } from './backfill-yield.ts';
import { concurrentlyReconciled, type HandOver } from './hand-to-workers.ts';

/**
 * Records per reconcile unit of a backfill: ten HubSpot list pages (a page is never split: a Salesforce
 * unit is one 2,000-row query page, whose converted leads' Contacts are then read in one call). Units
 * are small so reading overlaps reconciling and memory stays bounded; their writes still go out at each
 * API's cap because units share a write buffer (jobs/backfill-write-buffer.ts): sparse creates (only
 * qualified contacts become Salesforce Leads) fill one collection call of 200 across several units.
 * A crash re-reads at most the units in flight; reconciling them again writes nothing new.
 */
export const BACKFILL_BATCH_SIZE = 1_000;

/**
 * Units reconciling at once: one unit's CPU work overlaps the other's API calls, and their writes share
 * calls. Pages are read meanwhile, one unit ahead.
 */
export const BACKFILL_BATCHES_IN_FLIGHT = 2;

/** Where one system's backfill of one tenant stands, reported after every page. */
export interface BackfillProgress {
  tenant: string;
  system: SystemName;
  /** Records reconciled so far, including those of earlier runs when resumed. */
  done: number;
  /** True once the system has no more pages. */
  finished: boolean;
  /** Records the system holds (HubSpot search total, Salesforce COUNT()); null when unknown. */
  total: number | null;
  /** Seconds left at this run's rate so far; null when unknown. */
  etaSeconds: number | null;
}

export interface BackfillOptions extends RetryOptions, RedisOutageOptions {
  /** Only these tenants (default: every tenant of the config). */
  tenants?: string[];
  /** Ignore stored checkpoints and start from the first page. */
  restart?: boolean;
  /**
   * Records per reconcile unit (default {@link BACKFILL_BATCH_SIZE}): pages are gathered until they hold
   * this many (a page is never split) and reconciled together; the checkpoint moves after each unit.
   */
  batchSize?: number;
  /** Units reconciling at once while the next is read (default {@link BACKFILL_BATCHES_IN_FLIGHT}). */
  batchesInFlight?: number;
  /**
   * Longest a partial write call waits for the other units' patches, in milliseconds (default
   * `WRITE_BUFFER_MAX_WAIT_MS`); it goes out sooner when every unit in flight is waiting on it.
   */
  writeWaitMs?: number;
  /** Called after every unit; given, each system is first asked for its record count (one call each). */
  onProgress?: (progress: BackfillProgress) => void;
  /** How long each batch lets the tenant's live changes go first (jobs/backfill-yield.ts). */
  lanes?: YieldOptions;
  /**
   * Where a lead goes that running workers changed on every pass the backfill made over it (the state
   * compare-and-set lost `MAX_STATE_ATTEMPTS` times): a worker is on it, so the backfill hands it to
   * the workers' queue (jobs/hand-to-workers.ts) instead of failing. Without it, such a lead is a failure.
   */
  handOver?: HandOver;
}

export interface BackfillSummary extends BatchTotals {
  /** Distinct records read per system, this run (a record on two pages counts once). */
  records: Record<SystemName, number>;
  /** Per tenant and system that resumed from a checkpoint: the records done before this run. */
  resumed: Array<{ tenant: string; system: SystemName; processed: number }>;
  /** True when every system of every tenant read its last page. */
  complete: boolean;
  /** Leads handed to the workers because they were changing them meanwhile (see `handOver`). */
  handedToWorkers: number;
}

interface Page {
  records: SystemRecord[];
  /** Checkpoint fields to store once the page is reconciled. */
  position: Pick<BackfillCheckpoint, 'cursor' | 'after'>;
  last: boolean;
  /** The poller's own bookkeeping, once the page is reconciled (see `PollPage.acknowledge`). */
  acknowledge?: () => Promise<void>;
}

/** One page of `system` after `checkpoint` (null: the first page). */
async function readPage(
  runtime: EngineRuntime,
  tenant: string,
  system: SystemName,
  checkpoint: BackfillCheckpoint | null,
  echoesSince: string,
): Promise<Page> {
  const connectors = runtime.engine.connectors.get(tenant);
  if (!connectors) throw new Error(`no connectors for tenant "${tenant}"`);
  if (system === 'hubspot') {
    const page = await connectors.hubspot.backfill(checkpoint?.after ?? null);
    return { records: page.records, position: { cursor: null, after: page.after }, last: !page.after };
  }
  // Leads this backfill itself wrote moved ahead of the cursor: they are its own echoes, not read again
  // (and deals closed before it began came with their leads' rows).
  const page = await connectors.salesforce.poll(
    checkpoint?.cursor ?? backfillCursor(),
    runtime.engine.now(),
    {
      backfillSince: echoesSince,
    },
  );
  return {
    records: page.records,
    position: { cursor: page.next, after: null },
    last: page.done,
    ...(page.acknowledge ? { acknowledge: page.acknowledge } : {}),
  };
}

/**
 * Hands the poller what the finished backfill covered, so polling resumes exactly where it ended:
 * Salesforce's backfill reads in the poller's own keyset order, so its last position is the cursor;
 * HubSpot's pages by list token, so the cursor is the instant the backfill started (every later change
 * is polled). A poll cursor already behind that is kept: it covers more.
 */
async function commitPollCursor(
  runtime: EngineRuntime,
  tenant: string,
  system: SystemName,
  checkpoint: BackfillCheckpoint,
): Promise<void> {
  const { engine } = runtime;
  const connectors = engine.connectors.get(tenant);
  if (!connectors) return;
  const covered =
    system === 'hubspot'
      ? connectors.hubspot.pollCursorAt(new Date(checkpoint.startedAt))
      : checkpoint.cursor;
  if (!covered) return;
  const stored = await engine.cursors.getCursor(tenant, system);
  if (stored && Date.parse(stored.modifiedAt) <= Date.parse(covered.modifiedAt)) return;
  await engine.cursors.setCursor(tenant, system, covered);
}

function emptyCheckpoint(startedAt: string): BackfillCheckpoint {
  return { cursor: null, after: null, processed: 0, startedAt, updatedAt: startedAt, done: false };
}

export function emptyBackfillSummary(): BackfillSummary {
  return {
    records: { hubspot: 0, salesforce: 0 },
    resumed: [],
    batches: 0,
    leads: 0,
    reconciles: 0,
    unchanged: 0,
    conflicts: 0,
    written: { hubspot: 0, salesforce: 0 },
    created: { hubspot: 0, salesforce: 0 },
    failures: [],
    complete: true,
    handedToWorkers: 0,
  };
}

/** Shortest interval between two looks at the rep lane before page reads and write calls, in milliseconds. */
const REP_LOOK_MS = 100;

/** Pages reconciled together, and where the checkpoint stands once they are. */
interface Unit {
  records: SystemRecord[];
  /** Records its pages held (the checkpoint's `processed` grows by this many). */
  read: number;
  /** When its first page was read (reconcile reads again what a worker synced since). */
  readAt: number;
  pages: Page[];
}

/**
 * Reads pages after `from` and gathers them into units of at least `batchSize` records (or the last
 * pages); a page is never split, so a unit of Salesforce is one 2,000-row query page. Ends after the
 * last page, or after a read that failed its retries (`failed` then holds the error).
 */
async function* readUnits(
  read: (position: BackfillCheckpoint | null) => Promise<Page>,
  from: BackfillCheckpoint | null,
  startedAt: string,
  batchSize: number,
  now: () => number,
  failed: { error?: unknown },
): AsyncGenerator<Unit> {
  let position = from;
  for (;;) {
    const pages: Page[] = [];
    const readAt = now();
    let gathered = 0;
    while (gathered < batchSize) {
      let page: Page;
      try {
        page = await read(position);
      } catch (error) {
        failed.error = error;
        break;
      }
      pages.push(page);
      gathered += page.records.length;
      position = { ...(position ?? emptyCheckpoint(startedAt)), ...page.position };
      if (page.last) break;
    }
    if (pages.length === 0) return;
    const records = pages.flatMap((page) => page.records);
    yield { records, read: records.length, readAt, pages };
    if ((pages.at(-1) as Page).last || failed.error !== undefined) return;
  }
}

/**
 * Backfills one system of one tenant as a pipeline: pages are read (rate-limited) while the units read
 * before them are reconciled and written, with at most `batchesInFlight` units reconciling and one more
 * read ahead, so memory stays bounded by about `(batchesInFlight + 1) × batchSize` records. The units'
 * writes share a write buffer (jobs/backfill-write-buffer.ts), so calls go out full across units.
 * Checkpoints move in read order, each only after its unit and every unit before it were reconciled
 * (their writes landed and their state was stored), so a crash re-reads at most the units in flight;
 * re-reconciling them writes nothing that is already written (patches come from state). A unit that
 * still fails after the retries stops this system: its records are reported and the next run resumes
 * at the checkpoint before it.
 */
async function backfillSystem(
  runtime: EngineRuntime,
  reconcile: ReconcileBatch,
  tenant: string,
  system: SystemName,
  options: BackfillOptions,
  summary: BackfillSummary,
  echoesSince: string,
): Promise<boolean> {
  const { engine } = runtime;
  const durable = <T>(step: () => Promise<T>) => rideOutRedisOutage(step, engine.logger, options);
  let stored: BackfillCheckpoint | null;
  try {
    stored = options.restart ? null : await durable(() => engine.cursors.getBackfill(tenant, system));
  } catch (error) {
    engine.logger.warn({ tenant, system, err: error }, 'backfill checkpoint unreadable');
    summary.failures.push(batchFailure(tenant, system, null, error));
    return false;
  }
  if (stored?.done) {
    options.onProgress?.({
      tenant,
      system,
      done: stored.processed,
      finished: true,
      total: stored.processed,
      etaSeconds: 0,
    });
    return true;
  }
  const connectors = engine.connectors.get(tenant);
  if (!connectors) {
    summary.failures.push(
      batchFailure(tenant, system, null, new Error(`no connectors for tenant "${tenant}"`)),
    );
    return false;
  }
  const total = options.onProgress ? await countRecords(connectors, system) : null;
  const started = Date.now();
  const doneBefore = stored?.processed ?? 0;
  options.onProgress?.({ tenant, system, done: doneBefore, finished: false, total, etaSeconds: null });
  if (stored) summary.resumed.push({ tenant, system, processed: stored.processed });
  const startedAt = stored?.startedAt ?? engine.now().toISOString();
  let checkpoint: BackfillCheckpoint | null = stored;
  const settings = engine.config.sync.backfill;
  const batchSize = options.batchSize ?? settings?.batchSize ?? BACKFILL_BATCH_SIZE;
  const inFlight = Math.max(
    1,
    options.batchesInFlight ?? settings?.batchesInFlight ?? BACKFILL_BATCHES_IN_FLIGHT,
  );
  const writeWaitMs = options.writeWaitMs ?? (settings ? durationMs(settings.writeWait) : undefined);
  // The tenant's live work goes first (jobs/backfill-yield.ts): before each unit starts; and, since
  // reading and writing go on while units reconcile, a rep's change before each page read and write call
  // too (routine changes get their head start per unit only: a steady stream of them must not stall
  // every call).
  const yieldLanes = () => yieldToLanes(runtime.pending, tenant, options.lanes);
  // One look at the lanes per REP_LOOK_MS at most: a page read or write call does not wait on Redis each time.
  let lookedAt = Number.NEGATIVE_INFINITY;
  const yieldRep = async () => {
    if (Date.now() - lookedAt < REP_LOOK_MS) return;
    await yieldToLanes(runtime.pending, tenant, { ...options.lanes, maxRoutineWaitMs: 0 });
    lookedAt = Date.now();
  };
  const buffer = new WriteBuffer(
    {
      write: async (to, patches) => {
        await yieldRep();
        return to === 'hubspot' ? connectors.hubspot.write(patches) : connectors.salesforce.write(patches);
      },
      findByEmail: async (emails) => {
        await yieldRep();
        return connectors.salesforce.findByEmail(emails);
      },
    },
    { capacity: inFlight, ...(writeWaitMs === undefined ? {} : { maxWaitMs: writeWaitMs }) },
  );
  const deps: EngineDeps = {
    ...engine,
    connectors: new Map(engine.connectors).set(tenant, bufferedConnectors(connectors, buffer)),
  };
  // Keyset pages overlap (equal SystemModstamps, the poll overlap, records modified while we read):
  // count each record once. Record id -> the version (modifiedAt) last read; it grows with the run,
  // so it is kept compact, off the V8 heap (jobs/compact-string-map.ts).
  const seen = new CompactStringMap();
  const failedRead: { error?: unknown } = {};
  const units = readUnits(
    async (position) => {
      await yieldRep();
      return durable(() =>
        withRetries(() => readPage(runtime, tenant, system, position, echoesSince), engine.logger, {
          ...options,
          sleep: options.sleep ?? sleep,
        }),
      );
    },
    checkpoint,
    startedAt,
    batchSize,
    () => engine.now().getTime(),
    failedRead,
  );

  /** Reconciles one unit; false (its failures reported) when it still failed after the retries. */
  const reconcileUnit = async (unit: Unit): Promise<boolean> => {
    // Each ref carries the record just read, so reconcile does not read it again by id.
    const refs = unit.records.map((record) => ({ system, id: record.id, record, recordReadAt: unit.readAt }));
    if (refs.length === 0) return true;
    try {
      const result = await durable(() =>
        withRetries(() => buffer.run(() => reconcile(deps, tenant, refs)), engine.logger, options),
      );
      const handed = options.handOver ? concurrentlyReconciled(result.failures) : [];
      if (handed.length > 0) {
        await durable(() => (options.handOver as HandOver)(tenant, handed));
        result.failures = result.failures.filter((failure) => failure.code !== 'STATE_CONFLICT');
        summary.handedToWorkers += handed.length;
      }
      addBatchResult(summary, result);
      return true;
    } catch (error) {
      engine.logger.warn({ tenant, system, refs: refs.length, err: error }, 'backfill batch failed');
      summary.failures.push(...refs.map((ref) => batchFailure(tenant, system, ref.id, error)));
      return false;
    }
  };

  /** Moves the checkpoint past `unit` (its pages acknowledged first); false when it could not be stored. */
  const commit = async (unit: Unit): Promise<boolean> => {
    const lastPage = unit.pages.at(-1) as Page;
    const last = lastPage.last;
    const next: BackfillCheckpoint = {
      ...lastPage.position,
      processed: (checkpoint?.processed ?? 0) + unit.read,
      startedAt: checkpoint?.startedAt ?? startedAt,
      updatedAt: engine.now().toISOString(),
      done: last,
    };
    try {
      await durable(async () => {
        for (const page of unit.pages) await page.acknowledge?.();
        if (last) await commitPollCursor(runtime, tenant, system, next);
        await engine.cursors.setBackfill(tenant, system, next);
      });
    } catch (error) {
      engine.logger.warn({ tenant, system, err: error }, 'backfill checkpoint not stored');
      summary.failures.push(batchFailure(tenant, system, null, error));
      return false;
    }
    checkpoint = next;
    options.onProgress?.({
      tenant,
      system,
      done: checkpoint.processed,
      finished: last,
      total: last ? Math.max(total ?? 0, checkpoint.processed) : total,
      etaSeconds: last
        ? 0
        : etaSeconds(
            checkpoint.processed - doneBefore,
            total === null ? null : total - doneBefore,
            Date.now() - started,
          ),
    });
    return true;
  };

  // Each unit's commit waits for its own reconcile and for the commit before it: checkpoints in read order.
  const window: Array<Promise<boolean>> = [];
  let committed: Promise<boolean> = Promise.resolve(true);
  let ok = true;
  let finished = false;
  for await (const unit of units) {
    // A record read again as it was (the Salesforce re-scan of its overlap window meets rows of a page
    // still reconciling, not yet acknowledged) is that earlier page's to reconcile: not reconciled twice.
    unit.records = unit.records.filter((record) => {
      const read = seen.put(record.id, record.modifiedAt);
      if (read === 'added') summary.records[system] += 1;
      return read !== 'unchanged';
    });
    while (window.length >= inFlight) ok = (await window.shift()) === true && ok;
    if (!ok) break;
    await yieldLanes();
    const reconciled = reconcileUnit(unit);
    committed = committed.then(async (before) => {
      const done = await reconciled;
      return before && done && (await commit(unit));
    });
    window.push(committed);
    finished = (unit.pages.at(-1) as Page).last;
  }
  buffer.end();
  for (const pending of window) ok = (await pending) === true && ok;
  if (failedRead.error !== undefined) {
    engine.logger.warn({ tenant, system, err: failedRead.error }, 'backfill read failed');
    summary.failures.push(batchFailure(tenant, system, null, failedRead.error));
    return false;
  }
  return ok && finished;
}

/**
 * When this tenant's backfill began (the earliest checkpoint of a resumed one): what LeadBridge wrote
 * since then, in either system's phase, is its own echo, which the Salesforce pages skip.
 */
async function tenantStartedAt(
  runtime: EngineRuntime,
  tenant: string,
  options: BackfillOptions,
): Promise<string> {
  const now = runtime.engine.now().toISOString();
  if (options.restart) return now;
  const starts = await Promise.all(
    SystemName.options.map((system) =>
      runtime.engine.cursors
        .getBackfill(tenant, system)
        .then((checkpoint) => checkpoint?.startedAt ?? null)
        .catch(() => null),
    ),
  );
  return starts.reduce<string>((earliest, start) => (start && start < earliest ? start : earliest), now);
}

/**
 * `leadbridge backfill`: every HubSpot contact and every Salesforce lead of each tenant, page by page,
 * through `reconcileBatch` (which links the two sides of a person by email). A checkpoint per tenant and
 * system is stored after each page, so a re-run resumes; when both systems of a tenant are done their
 * checkpoints are cleared, so the next backfill starts over.
 */
export async function backfill(
  runtime: EngineRuntime,
  reconcile: ReconcileBatch,
  options: BackfillOptions = {},
): Promise<BackfillSummary> {
  const summary = emptyBackfillSummary();
  const tenants = options.tenants ?? runtime.engine.config.tenants.map((tenant) => tenant.id);
  for (const tenant of tenants) {
    let tenantDone = true;
    const echoesSince = await tenantStartedAt(runtime, tenant, options);
    for (const system of SystemName.options) {
      const done = await backfillSystem(runtime, reconcile, tenant, system, options, summary, echoesSince);
      tenantDone &&= done;
    }
    if (tenantDone) {
      try {
        await rideOutRedisOutage(
          async () => {
            for (const system of SystemName.options)
              await runtime.engine.cursors.clearBackfill(tenant, system);
          },
          runtime.engine.logger,
          options,
        );
      } catch (error) {
        // Finished all the same; a later backfill finds the checkpoints marked done (`--restart` reads again).
        runtime.engine.logger.warn({ tenant, err: error }, 'backfill checkpoints not cleared');
      }
    } else {
      summary.complete = false;
    }
  }
  return summary;
}
