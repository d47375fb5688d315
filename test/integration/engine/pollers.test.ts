import { afterAll, describe, expect, it } from 'vitest';
import type { SalesforceRecord } from '../../../connectors/salesforce/records.ts';
import type { PollCursor, PollPage } from '../../../connectors/types.ts';
import { pageEvents } from '../../../jobs/poll-events.ts';
import { pollPass } from '../../../jobs/poll-pass.ts';
import { pollProcessor } from '../../../jobs/poll-processor.ts';
import { RateLimitedError } from '../../../src/errors/rate-limited-error.ts';
import { createPollQueue, upsertPollSchedulers } from '../../../jobs/poll-queue.ts';
import { startWorkers } from '../../../jobs/workers.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import {
  deleteKeys,
  dropKeys,
  recordingBatch,
  REDIS_URL,
  startEngineHarness,
  TENANT,
  testConfig,
  uniquePrefix,
  useConnectors,
  waitFor,
} from './engine-harness.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

function cursorAt(n: number): PollCursor {
  return { modifiedAt: new Date(Date.UTC(2026, 2, 1, 11, 0, n)).toISOString(), id: `c${n}` };
}

/**
 * A poller double over fixed data: `pages` pages of two record versions each, the same versions for the
 * same cursor, then caught up; remembers the cursors it was asked with.
 */
function pagedPoller(pages: number) {
  const asked: Array<PollCursor | null> = [];
  return {
    asked,
    async poll(cursor: PollCursor | null): Promise<PollPage> {
      asked.push(cursor);
      const index = cursor ? Number(cursor.id.slice(1)) + 1 : 1;
      if (index > pages) return { records: [], deletedIds: [], next: cursor, done: true };
      return {
        records: [0, 1].map((i) => ({
          id: `${index}${i}`,
          lead: { email: `p${index}${i}@example.com` },
          modifiedAt: cursorAt(index).modifiedAt,
        })),
        deletedIds: [],
        next: cursorAt(index),
        done: index >= pages,
      };
    },
  };
}

describe('pollers: events from pages, cursor committed only after enqueue', () => {
  const harness = startEngineHarness('pollers');
  harness.engine.now = () => NOW;
  afterAll(() => harness.close());

  it('turns records into poll change events, drops our own Salesforce echoes, reports deletions', () => {
    const records: SalesforceRecord[] = [
      {
        id: '00Q1',
        lead: {},
        modifiedAt: '2026-03-01T11:00:00.000Z',
        modifiedByUs: false,
        objectType: 'Lead',
        leadId: '00Q1',
      },
      {
        id: '00Q2',
        lead: {},
        modifiedAt: '2026-03-01T11:00:01.000Z',
        modifiedByUs: true,
        objectType: 'Lead',
        leadId: '00Q2',
      },
      {
        id: '0031',
        lead: {},
        modifiedAt: '2026-03-01T11:00:02.000Z',
        modifiedByUs: false,
        objectType: 'Contact',
        leadId: '00Q3',
      },
    ];
    const page: PollPage = {
      records,
      deletedIds: ['00Q4'],
      next: null,
      done: true,
    };
    const { events, echoes } = pageEvents(TENANT, 'salesforce', page, NOW);
    expect(echoes).toBe(1);
    expect(events).toEqual<ChangeEvent[]>([
      {
        tenant: TENANT,
        system: 'salesforce',
        objectId: '00Q1',
        occurredAt: '2026-03-01T11:00:00.000Z',
        kind: 'updated',
        source: 'poll',
        dedupKey: '00Q1@2026-03-01T11:00:00.000Z',
      },
      {
        tenant: TENANT,
        system: 'salesforce',
        objectId: '00Q3',
        occurredAt: '2026-03-01T11:00:02.000Z',
        kind: 'converted',
        source: 'poll',
        dedupKey: '0031@2026-03-01T11:00:02.000Z',
      },
      {
        tenant: TENANT,
        system: 'salesforce',
        objectId: '00Q4',
        occurredAt: NOW.toISOString(),
        kind: 'deleted',
        source: 'poll',
        dedupKey: '00Q4@deleted',
      },
    ]);
  });

  it('stores each page cursor only after the page was handed on, and resumes from it', async () => {
    const poller = pagedPoller(3);
    useConnectors(harness, { hubspot: poller });
    const storedWhileSinking: Array<PollCursor | null> = [];
    const sunk: ChangeEvent[][] = [];
    const result = await pollPass(
      {
        engine: harness.engine,
        sink: async (events) => {
          storedWhileSinking.push(await harness.engine.cursors.getCursor(TENANT, 'hubspot'));
          sunk.push(events);
        },
      },
      TENANT,
      'hubspot',
    );
    expect(result).toMatchObject({ pages: 3, records: 6, done: true });
    // While page N was being enqueued, the stored cursor was still page N-1's.
    expect(storedWhileSinking).toEqual([null, cursorAt(1), cursorAt(2)]);
    expect(poller.asked).toEqual([null, cursorAt(1), cursorAt(2)]);
    expect(await harness.engine.cursors.getCursor(TENANT, 'hubspot')).toEqual(cursorAt(3));
    expect(sunk.flat().map((event) => event.dedupKey)).toContain(`20@${cursorAt(2).modifiedAt}`);
  });

  it('a rate-limited poll keeps the pages already read, and defers only this tenant and system', async () => {
    const poller = pagedPoller(3);
    const limited = {
      async poll(cursor: PollCursor | null): Promise<PollPage> {
        if (poller.asked.length === 1) throw new RateLimitedError('429', 2_500, 'TEN_SECONDLY_ROLLING');
        return poller.poll(cursor);
      },
    };
    useConnectors(harness, { hubspot: limited });
    await harness.engine.cursors.setCursor(TENANT, 'hubspot', null);
    const followUps: Array<{ data: unknown; delay: number | undefined }> = [];
    const enqueued: ChangeEvent[] = [];
    const process = pollProcessor({
      engine: harness.engine,
      ingestQueue: {
        addBulk: async (jobs: Array<{ data: { events: ChangeEvent[] } }>) =>
          enqueued.push(...jobs.flatMap((job) => job.data.events)),
      } as never,
      pollQueue: {
        add: async (_name: string, data: unknown, opts?: { delay?: number }) => {
          followUps.push({ data, delay: opts?.delay });
          return undefined as never;
        },
      } as never,
    });
    const result = await process({ data: { tenant: TENANT, system: 'hubspot' } } as never);
    expect(result).toMatchObject({ done: false, deferredMs: 2_500 });
    expect(followUps).toEqual([{ data: { tenant: TENANT, system: 'hubspot' }, delay: 2_500 }]);
    // Page 1 was enqueued and its cursor committed before the 429: the follow-up resumes after it.
    expect(enqueued).toHaveLength(2);
    expect(await harness.engine.cursors.getCursor(TENANT, 'hubspot')).toEqual(cursorAt(1));
  });

  it('a page that could not be enqueued leaves the cursor at the previous page, so it is polled again', async () => {
    await harness.engine.cursors.setCursor(TENANT, 'hubspot', null);
    useConnectors(harness, { hubspot: pagedPoller(3) });
    let pages = 0;
    const failing = pollPass(
      {
        engine: harness.engine,
        sink: async () => {
          pages += 1;
          if (pages === 2) throw new Error('Redis refused the add');
        },
      },
      TENANT,
      'hubspot',
    );
    await expect(failing).rejects.toThrow(/refused/);
    expect(await harness.engine.cursors.getCursor(TENANT, 'hubspot')).toEqual(cursorAt(1));

    const again = pagedPoller(3);
    useConnectors(harness, { hubspot: again });
    await pollPass({ engine: harness.engine, sink: async () => {} }, TENANT, 'hubspot', { maxPages: 1 });
    expect(again.asked).toEqual([cursorAt(1)]);
  });
});

describe('poll jobs through the real queues', () => {
  it('a poll job enqueues change events, commits the cursor, and its records reach a reconcile batch', async () => {
    const prefix = uniquePrefix('poll-jobs');
    const batch = recordingBatch();
    const workers = await startWorkers(testConfig('10ms'), {
      redisUrl: REDIS_URL,
      logger: silentLogger(),
      metrics: new Metrics({ collectDefaults: false }),
      reconcileBatch: batch,
      prefix,
      schedulePolls: false,
    });
    try {
      const poller = pagedPoller(2);
      useConnectors(workers, { hubspot: poller });
      await workers.queues.poll.add('poll', { tenant: TENANT, system: 'hubspot' });
      await waitFor(() => batch.calls.flat().length === 4);
      expect(
        batch.calls
          .flat()
          .map((ref) => ref.id)
          .sort(),
      ).toEqual(['10', '11', '20', '21']);
      expect(batch.calls.flat().every((ref) => ref.source === 'poll')).toBe(true);
      expect(await workers.engine.cursors.getCursor(TENANT, 'hubspot')).toEqual(cursorAt(2));
      // Polling the same versions again (the overlap window) adds no ingest job: same dedup keys, same ids.
      const ingestJobs = () =>
        workers.queues.ingest.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'failed');
      // One job per page of two changes.
      expect(await ingestJobs()).toBe(2);
      await workers.engine.cursors.setCursor(TENANT, 'hubspot', null);
      await workers.queues.poll.add('poll', { tenant: TENANT, system: 'hubspot' });
      await waitFor(async () => (await workers.queues.poll.getJobCounts('completed')).completed === 2);
      expect(poller.asked).toEqual([null, cursorAt(1), null, cursorAt(1)]);
      expect(await ingestJobs()).toBe(2);
    } finally {
      await workers.close();
      await dropKeys(prefix);
    }
  });

  it('upserts one scheduler per tenant and system at the poll interval and removes stale ones', async () => {
    const prefix = uniquePrefix('schedulers');
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = createPollQueue(redis, silentLogger(), prefix);
    try {
      await queue.upsertJobScheduler(
        'poll-gone-hubspot',
        { every: 60_000 },
        { name: 'poll', data: { tenant: 'gone', system: 'hubspot' } },
      );
      const ids = await upsertPollSchedulers(queue, testConfig());
      expect(ids).toEqual([`poll-${TENANT}-hubspot`, `poll-${TENANT}-salesforce`]);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((scheduler) => [scheduler.key, Number(scheduler.every)]).sort()).toEqual([
        [`poll-${TENANT}-hubspot`, 3_600_000],
        [`poll-${TENANT}-salesforce`, 3_600_000],
      ]);
      // Idempotent: a second worker starting changes nothing.
      await upsertPollSchedulers(queue, testConfig());
      expect(await queue.getJobSchedulersCount()).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
  });
});
