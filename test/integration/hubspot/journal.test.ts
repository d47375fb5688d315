import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TenantConnectors } from '../../../connectors/index.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import { JOURNAL_RETENTION_MS } from '../../../connectors/hubspot/emulator/journal.ts';
import { checkIngestMode } from '../../../connectors/hubspot/ingest-check.ts';
import {
  createIngestQueue,
  enqueueChangeEvents,
  eventsOfIngestJob,
  type IngestQueue,
} from '../../../jobs/ingest-queue.ts';
import { journalPass, type JournalPassDeps } from '../../../jobs/journal-pass.ts';
import { journalProcessor } from '../../../jobs/journal-processor.ts';
import { createJournalQueue, type JournalQueue } from '../../../jobs/journal-queue.ts';
import { createPollQueue, type PollQueue } from '../../../jobs/poll-queue.ts';
import type { EngineDeps } from '../../../jobs/engine.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { JournalOffsetStore } from '../../../src/store/journal-offsets.ts';
import { deleteKeys } from '../../helpers/emulators.ts';
import { hubspotConfig } from './helpers.ts';

// Journal ingestion end to end: the emulator's Webhooks Journal, the real connector, a real BullMQ ingest
// queue on Redis, and the stored offset.

const PREFIX = `test-hs-journal-${process.pid}-${Date.now()}`;
let redis: Redis;
let emulator: HubSpotEmulator;
let ingest: IngestQueue;
let offsets: JournalOffsetStore;
let clock = Date.parse('2026-11-30T12:00:00.000Z');
const warnings: string[] = [];

function engine(): Pick<EngineDeps, 'connectors' | 'logger' | 'now'> {
  const config = hubspotConfig(emulator.url, { ingest: 'journal' });
  const logger = silentLogger();
  logger.warn = ((_: unknown, message: string) => {
    warnings.push(message);
  }) as unknown as typeof logger.warn;
  return {
    connectors: new Map([
      ['acme', { hubspot: new HubSpotConnector(config.tenants[0]!, config) } as TenantConnectors],
    ]),
    logger,
    now: () => new Date(clock),
  };
}

/** A pass as a fresh process would run it (new connector, new offset store over the same Redis). */
function deps(overrides: Partial<JournalPassDeps> = {}): JournalPassDeps {
  return {
    engine: engine(),
    offsets: new JournalOffsetStore(redis, { prefix: `${PREFIX}:store` }),
    sink: async (events) => {
      await enqueueChangeEvents(ingest, events);
    },
    catchUp: async () => {},
    ...overrides,
  };
}

async function queued(): Promise<ChangeEvent[]> {
  const jobs = await ingest.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
  return jobs.flatMap((job) => eventsOfIngestJob(job.data));
}

const ui = (id: string, properties: Record<string, string>) =>
  emulator.store.update(emulator.store.find(id)!, properties, 'CRM_UI');

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
beforeEach(async () => {
  clock = Date.parse('2026-11-30T12:00:00.000Z');
  warnings.length = 0;
  emulator = await startHubSpotEmulator({ seed: 9, contacts: 6, now: () => clock });
  ingest = createIngestQueue(redis, silentLogger(), PREFIX);
  offsets = new JournalOffsetStore(redis, { prefix: `${PREFIX}:store` });
  // Seeding fills the journal; these tests start after it.
  emulator.journal.reset();
});
afterEach(async () => {
  await emulator.close();
  await ingest.obliterate({ force: true });
  await ingest.close();
  await deleteKeys(redis, PREFIX);
});
afterAll(async () => {
  await redis.quit();
});

describe('HubSpot journal ingestion', () => {
  it('turns UI edits into change events on the ingest queue, deduplicated as webhooks are, and stores the offset', async () => {
    const [a, b] = [...emulator.store.contacts.keys()] as [string, string];
    ui(a, { firstname: 'Ann' });
    ui(a, { lastname: 'Lee' });
    ui(b, { jobtitle: 'VP Sales' });
    const result = await journalPass(deps(), 'acme');
    expect(result).toMatchObject({ files: 1, events: 2, caughtUp: false, done: true });
    const events = await queued();
    expect(events.map((event) => event.objectId).sort()).toEqual([a, b].sort());
    expect(events.every((event) => event.source === 'journal' && event.kind === 'updated')).toBe(true);
    expect((await offsets.get('acme'))?.offset).toBe(result.offset);
    // Nothing new: no event, the offset stays.
    expect(await journalPass(deps(), 'acme')).toMatchObject({ files: 0, events: 0, offset: result.offset });
    expect(await queued()).toHaveLength(2);
    // A contact created and then deleted in HubSpot's UI.
    const created = emulator.store.create({ email: 'new@x.example' }, 'CRM_UI');
    emulator.store.archive(created, 'CRM_UI');
    await journalPass(deps(), 'acme');
    const kinds = (await queued())
      .filter((event) => event.objectId === created.id)
      .map((event) => event.kind);
    expect(kinds.sort()).toEqual(['created', 'deleted']);
  });

  it('stores the offset only after the events are on the ingest queue', async () => {
    const [a, b] = [...emulator.store.contacts.keys()] as [string, string];
    ui(a, { firstname: 'One' });
    const first = await journalPass(deps(), 'acme');
    ui(b, { firstname: 'Two' });
    const failing = deps({
      sink: async () => {
        throw new Error('Redis refused the batch');
      },
    });
    await expect(journalPass(failing, 'acme')).rejects.toThrow('Redis refused the batch');
    expect((await offsets.get('acme'))?.offset).toBe(first.offset);
    const retried = await journalPass(deps(), 'acme');
    expect(retried.events).toBe(1);
    expect((await queued()).map((event) => event.objectId).sort()).toEqual([a, b].sort());
  });

  it('resumes after a restart mid-way without losing or duplicating an event', async () => {
    const ids = [...emulator.store.contacts.keys()];
    // Three files on the journal.
    for (const [n, id] of ids.slice(0, 3).entries()) {
      ui(id, { firstname: `F${n}` });
      emulator.journal.publish();
    }
    // The first process reads one file, then dies before reading on; the crash also hits after the
    // second file was enqueued but before its offset was stored.
    expect(await journalPass(deps(), 'acme', { maxFiles: 1 })).toMatchObject({ files: 1, done: false });
    let calls = 0;
    const crashing = deps({
      sink: async (events) => {
        await enqueueChangeEvents(ingest, events);
        if (++calls === 1) throw new Error('process killed');
      },
    });
    await expect(journalPass(crashing, 'acme')).rejects.toThrow('process killed');
    // A new process picks up from the stored offset.
    const resumed = await journalPass(deps(), 'acme');
    expect(resumed).toMatchObject({ files: 2, done: true });
    const events = await queued();
    expect(events.map((event) => event.objectId).sort()).toEqual(ids.slice(0, 3).sort());
    expect(new Set(events.map((event) => event.dedupKey)).size).toBe(events.length);
  });

  it('catches up by polling, and says so, when the stored offset is older than the 3-day retention', async () => {
    const [a, b] = [...emulator.store.contacts.keys()] as [string, string];
    ui(a, { firstname: 'Before' });
    const first = await journalPass(deps(), 'acme');
    // LeadBridge is down for four days; changes made meanwhile leave the journal before it is back.
    clock += JOURNAL_RETENTION_MS / 3;
    ui(a, { firstname: 'Missed' });
    emulator.journal.publish();
    clock += JOURNAL_RETENTION_MS + 60_000;
    ui(b, { firstname: 'Recent' });
    const journalQueue: JournalQueue = createJournalQueue(redis, silentLogger(), PREFIX);
    const pollQueue: PollQueue = createPollQueue(redis, silentLogger(), PREFIX);
    try {
      const process = journalProcessor({
        engine: engine() as EngineDeps,
        offsets,
        ingestQueue: ingest,
        journalQueue,
        pollQueue,
      });
      const result = await process({ data: { tenant: 'acme' } } as never);
      expect(result).toMatchObject({ caughtUp: true, done: true });
      expect(warnings.join('\n')).toMatch(/older than the journal keeps \(3 days\): catching up by polling/);
      // The catch-up: a poll of the tenant's HubSpot side, now, which reads everything since its cursor.
      const polls = await pollQueue.getJobs(['waiting', 'delayed']);
      expect(polls.map((job) => job.data)).toEqual([{ tenant: 'acme', system: 'hubspot' }]);
      const stored = await offsets.get('acme');
      expect(stored?.offset).not.toBe(first.offset);
      expect(stored?.lastCatchUpAt).toBe(new Date(clock).toISOString());
      // What the journal still had is ingested too.
      expect((await queued()).some((event) => event.objectId === b)).toBe(true);
    } finally {
      await journalQueue.obliterate({ force: true });
      await pollQueue.obliterate({ force: true });
      await journalQueue.close();
      await pollQueue.close();
    }
  });
});

describe('doctor on the ingest mode', () => {
  it('reads the journal when the tenant ingests from it, and names the fix when it cannot', async () => {
    const config = hubspotConfig(emulator.url, { ingest: 'journal' });
    const connector = new HubSpotConnector(config.tenants[0]!, config);
    const check = async () => (await connector.checkSetup()).find((c) => c.name === 'hubspot ingest');
    expect(await check()).toMatchObject({
      ok: true,
      detail: expect.stringContaining('Webhooks Journal readable'),
    });
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, errorStatus: 503 }),
    });
    // The journal check alone (with the API down, the whole checkSetup fails on API access first):
    const failing = await checkIngestMode(connector.client, config.tenants[0]!.hubspot);
    expect(failing).toMatchObject({ ok: false, fix: expect.stringContaining('hubspot.ingest') });
    const polling = hubspotConfig(emulator.url, { ingest: 'polling' });
    expect(await checkIngestMode(connector.client, polling.tenants[0]!.hubspot)).toMatchObject({
      ok: true,
      detail: expect.stringContaining('polling only'),
    });
  });
});
