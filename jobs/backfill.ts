import { setTimeout as sleep } from 'node:timers/promises';
import { backfillCursor } from '../connectors/salesforce/cursor.ts';
import type { SystemRecord } from '../connectors/types.ts';
import { SystemName } from '../src/domain/lead.ts';
import type { BackfillCheckpoint } from '../src/store/cursors.ts';
import { addBatchResult, type BatchTotals } from './batch-totals.ts';
import { batchFailure, withRetries, type RetryOptions } from './batch-retry.ts';
import type { ReconcileBatch } from './engine.ts';
import type { EngineRuntime } from './engine-runtime.ts';
import { countRecords, etaSeconds } from './backfill-totals.ts';
import { rideOutRedisOutage, type RedisOutageOptions } from './redis-outage.ts';
import { yieldToLanes, type YieldOptions } from './backfill-yield.ts';

/**
 * Records reconciled together by a backfill: a hundred HubSpot list pages, five Salesforce query pages.
 * Large because creates are sparse (only qualified contacts become Salesforce Leads): 10,000 contacts
 * of which 2% qualify fill one collection call of 200 (2,000 at a time made five calls of 40). Measured
 * on a 10k + 2k backfill: about 40 MB more peak RSS than batches of 2,000. A crash re-reads at most
 * this many (the checkpoint moves after each batch); reconciling them again writes nothing new.
 */
export const BACKFILL_BATCH_SIZE = 10_000;

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
   * Records per reconcile batch (default {@link BACKFILL_BATCH_SIZE}): pages are gathered up to this many
   * before they are reconciled together, and the checkpoint moves after each batch.
   */
  batchSize?: number;
  onProgress?: (progress: BackfillProgress) => void;
  /** How long each batch lets the tenant's live changes go first (jobs/backfill-yield.ts). */
  lanes?: YieldOptions;
}

export interface BackfillSummary extends BatchTotals {
  /** Distinct records read per system, this run (a record on two pages counts once). */
  records: Record<SystemName, number>;
  /** Per tenant and system that resumed from a checkpoint: the records done before this run. */
  resumed: Array<{ tenant: string; system: SystemName; processed: number }>;
  /** True when every system of every tenant read its last page. */
  complete: boolean;
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
  };
}

/**
 * Backfills one system of one tenant page by page. The checkpoint moves only after every record of a
 * page went through `reconcileBatch`, so a crash re-reads at most the page it was on; re-reconciling it
 * writes nothing that is already written (patches come from state). A page that still fails after the
 * retries stops this system: its records are reported and the next run resumes at that page.
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
  const total = connectors ? await countRecords(connectors, system) : null;
  const started = Date.now();
  const doneBefore = stored?.processed ?? 0;
  options.onProgress?.({ tenant, system, done: doneBefore, finished: false, total, etaSeconds: null });
  if (stored) summary.resumed.push({ tenant, system, processed: stored.processed });
  const startedAt = stored?.startedAt ?? engine.now().toISOString();
  let checkpoint: BackfillCheckpoint | null = stored;
  const batchSize = options.batchSize ?? BACKFILL_BATCH_SIZE;
  // Keyset pages overlap (equal SystemModstamps, the poll overlap, records modified while we read):
  // count each record once.
  const seen = new Set<string>();
  for (;;) {
    // Pages are gathered up to `batchSize` records before one reconcile, so its writes fill each
    // API's cap (200 per Salesforce collection call, 100 per HubSpot batch) instead of going out a
    // page's qualifying few at a time. The checkpoint moves once they are all reconciled.
    const pages: Page[] = [];
    const readAt = engine.now().getTime();
    let position = checkpoint;
    let gathered = 0;
    while (gathered < batchSize) {
      let page: Page;
      try {
        page = await durable(() =>
          withRetries(() => readPage(runtime, tenant, system, position, echoesSince), engine.logger, {
            ...options,
            sleep: options.sleep ?? sleep,
          }),
        );
      } catch (error) {
        if (pages.length > 0) break;
        engine.logger.warn({ tenant, system, err: error }, 'backfill read failed');
        summary.failures.push(batchFailure(tenant, system, null, error));
        return false;
      }
      pages.push(page);
      gathered += page.records.length;
      position = { ...(position ?? emptyCheckpoint(startedAt)), ...page.position };
      if (page.last) break;
    }
    const records = pages.flatMap((page) => page.records);
    const last = pages.at(-1) as Page;
    for (const record of records) {
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      summary.records[system] += 1;
    }
    for (let i = 0; i < records.length; i += batchSize) {
      // Each ref carries the record just read, so reconcile does not read it again by id.
      const refs = records
        .slice(i, i + batchSize)
        .map((record) => ({ system, id: record.id, record, recordReadAt: readAt }));
      try {
        await yieldToLanes(runtime.pending, tenant, options.lanes);
        addBatchResult(
          summary,
          await durable(() => withRetries(() => reconcile(engine, tenant, refs), engine.logger, options)),
        );
      } catch (error) {
        engine.logger.warn({ tenant, system, refs: refs.length, err: error }, 'backfill batch failed');
        summary.failures.push(...refs.map((ref) => batchFailure(tenant, system, ref.id, error)));
        return false;
      }
    }
    const next: BackfillCheckpoint = {
      ...last.position,
      processed: (checkpoint?.processed ?? 0) + records.length,
      startedAt: checkpoint?.startedAt ?? startedAt,
      updatedAt: engine.now().toISOString(),
      done: last.last,
    };
    try {
      await durable(async () => {
        for (const page of pages) await page.acknowledge?.();
        if (last.last) await commitPollCursor(runtime, tenant, system, next);
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
      finished: last.last,
      total: last.last ? Math.max(total ?? 0, checkpoint.processed) : total,
      etaSeconds: last.last
        ? 0
        : etaSeconds(
            checkpoint.processed - doneBefore,
            total === null ? null : total - doneBefore,
            Date.now() - started,
          ),
    });
    if (last.last) return true;
  }
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
