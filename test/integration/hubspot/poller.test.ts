import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import type { PollCursor } from '../../../connectors/types.ts';
import { InMemoryApiCallRecorder } from '../../../src/metrics/api-calls.ts';
import { hubspotConfig } from './helpers.ts';

// Incremental polling through the search API: keyset (lastmodifieddate, hs_object_id), one sort,
// 200 per page, the 10,000-result cap, equal timestamps, and the index-lag overlap.

let emulator: HubSpotEmulator;
let clock = Date.parse('2026-11-30T23:00:00.000Z');
const recorder = new InMemoryApiCallRecorder();

beforeAll(async () => {
  // Search at 5/s is the real limit; these tests measure calls, so the portal's limits are lifted.
  emulator = await startHubSpotEmulator({
    seed: 3,
    now: () => clock,
    faults: { searchPerSecond: 0, burstPer10s: 0 },
  });
});
afterAll(async () => {
  await emulator.close();
});

function connector(overlap = '2m') {
  const config = hubspotConfig(emulator.url, {}, { sync: { pollOverlap: overlap } });
  return new HubSpotConnector(config.tenants[0]!, config, { recorder });
}

async function pollAll(hubspot: HubSpotConnector, cursor: PollCursor | null, now: Date, maxPages = 2_000) {
  const ids: string[] = [];
  let next = cursor;
  let pages = 0;
  for (;;) {
    const page = await hubspot.poll(next, now);
    pages++;
    ids.push(...page.records.map((record) => record.id));
    next = page.next;
    if (page.done) break;
    if (pages >= maxPages) throw new Error(`no end after ${pages} pages`);
  }
  return { ids, next, pages };
}

const epoch: PollCursor = { modifiedAt: '2000-01-01T00:00:00.000Z', id: '0' };

describe('HubSpot contact poller', () => {
  it('pages through more than 10,000 changed contacts without ever paging past the search cap', async () => {
    emulator.reset();
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ searchPerSecond: 0, burstPer10s: 0 }),
    });
    const ids = (await (
      await fetch(`${emulator.url}/__emulator/seed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 12_500 }),
      })
    ).json()) as { created: number };
    expect(ids.created).toBe(12_500);
    recorder.reset();
    const result = await pollAll(connector(), epoch, new Date(clock));
    expect(result.ids).toHaveLength(12_500);
    expect(new Set(result.ids).size).toBe(12_500);
    expect(recorder.count({ status: 400 })).toBe(0);
    // 12,500 / 200 = 63 pages at least; a few more where a page's newest timestamp is re-read.
    expect(result.pages).toBeGreaterThanOrEqual(63);
    expect(result.pages).toBeLessThan(80);
    // Nothing new: the next pass is one call and sees again only what changed within the overlap window.
    expect(Date.parse(result.next!.modifiedAt)).toBe(clock - 120_000);
    const again = await pollAll(connector(), result.next, new Date(clock));
    expect(again.pages).toBe(1);
    const recent = [...emulator.store.contacts.values()]
      .filter((contact) => contact.updatedAt >= clock - 120_000)
      .map((contact) => contact.id);
    expect(again.ids.sort()).toEqual(recent.sort());
  });

  it('polls a month-end mass update of 50,000 contacts with one lastmodifieddate exactly once, without looping', async () => {
    emulator.reset();
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ searchPerSecond: 0, burstPer10s: 0 }),
    });
    await fetch(`${emulator.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 50_000 }),
    });
    const hubspot = connector();
    const before = await pollAll(hubspot, epoch, new Date(clock));
    expect(before.ids).toHaveLength(50_000);
    clock += 60_000;
    const massUpdate = (await (
      await fetch(`${emulator.url}/__emulator/mass-update`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { hs_lead_status: 'OPEN' }, notify: false }),
      })
    ).json()) as { updated: number; lastmodifieddate: string };
    expect(massUpdate.updated).toBe(50_000);
    clock += 10 * 60_000;
    recorder.reset();
    const started = performance.now();
    const result = await pollAll(hubspot, before.next, new Date(clock));
    const elapsedMs = performance.now() - started;
    expect(result.ids).toHaveLength(50_000);
    expect(new Set(result.ids).size).toBe(50_000);
    const calls = recorder.count({ endpoint: 'POST /crm/objects/2026-09/contacts/search' });
    expect(recorder.count({ status: 400 })).toBe(0);
    // 250 pages of 200 plus the detection of the hot timestamp and the end of its drain.
    expect(calls).toBeLessThanOrEqual(253);
    console.info(
      `mass update: 50,000 contacts at ${massUpdate.lastmodifieddate} polled in ${calls} search calls, ${Math.round(elapsedMs)} ms (at the real 5 searches/s: ${Math.ceil(calls / 5)} s)`,
    );
    const again = await pollAll(hubspot, result.next, new Date(clock));
    expect(again.ids).toEqual([]);
    // Two full passes over 50,000 contacts: ~17 s alone on 2 cores, more beside other test files.
  }, 120_000);

  it('finds a contact the search index showed late, thanks to the overlap window', async () => {
    emulator.reset();
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ searchPerSecond: 0, burstPer10s: 0, searchLagMs: 30_000 }),
    });
    await fetch(`${emulator.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 20 }),
    });
    const hubspot = connector('2m');
    const first = await pollAll(hubspot, epoch, new Date(clock));
    expect(first.ids).toHaveLength(20);
    // Someone edits a contact now; the index has not caught up when the next poll runs 10 s later.
    const edited = [...emulator.store.contacts.keys()][4]!;
    emulator.store.update(emulator.store.find(edited)!, { jobtitle: 'Chief Revenue Officer' }, 'CRM_UI');
    clock += 10_000;
    const early = await pollAll(hubspot, first.next, new Date(clock));
    expect(early.ids).not.toContain(edited);
    // The stored cursor stayed behind now - overlap, so once the index shows it, the next poll sees it.
    clock += 60_000;
    const late = await pollAll(hubspot, early.next, new Date(clock));
    expect(late.ids).toContain(edited);
  });

  it('backfills every contact through the list endpoint', async () => {
    emulator.reset();
    await fetch(`${emulator.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 250 }),
    });
    const hubspot = connector();
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await hubspot.backfill(after);
      ids.push(...page.records.map((record) => record.id));
      after = page.after;
      pages++;
    } while (after);
    expect(new Set(ids).size).toBe(250);
    expect(pages).toBe(3);
  });
});
