// Change -> other system: people edit linked HubSpot contacts (job title) at `editsPerSecond`, HubSpot's
// webhooks reach `leadbridge serve`, a `leadbridge worker` syncs them; the latency of each edit is the time
// until the Salesforce lead carries the new title, observed at the Salesforce emulator every 10 ms.
import { percentile } from './figures.ts';
import { control, freePort, sleep, waitUntil, type CallLog } from './harness.ts';
import { startLinkedRig } from './linked-rig.ts';
import { startLive } from './live.ts';

export interface LatencyMeasure {
  /** Seconds. */
  p50: number;
  p99: number;
  edits: number;
  /** API calls on both systems from the first edit until all landed (plus a settle), per edit. */
  callsPerEdit: number;
  /** Those calls by system and endpoint (`hubspot POST /crm/v3/...`), to see what a batch costs. */
  callsByEndpoint: Record<string, number>;
}

/**
 * How long neither emulator may have served a call before the edits start, in milliseconds: longer
 * than a fixed 2 s debounce holds a record (up to two debounces), so what the start-up polls found has
 * gone out.
 */
export const SETTLE_QUIET_MS = 4_500;

/** Milliseconds from the last call in `calls` (or from `sinceMs` when none came after it) to `nowMs`. */
export function quietMs(calls: CallLog, sinceMs: number, nowMs: number): number {
  let last = sinceMs;
  for (const call of [...calls.hubspot, ...calls.salesforce]) last = Math.max(last, call.at);
  return nowMs - last;
}

/** Calls counted per `system endpoint`, most frequent first. */
export function countByEndpoint(calls: CallLog): Record<string, number> {
  const counts = new Map<string, number>();
  for (const system of ['hubspot', 'salesforce'] as const) {
    for (const call of calls[system]) {
      const key = `${system} ${call.endpoint}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

interface Edit {
  leadId: string;
  title: string;
  sentAt: number;
  landedAt: number | null;
}

/**
 * The baseline's config: a fixed 2 s debounce, as the code worked before the adaptive debounce (every
 * change waits the whole debounce, batches on a 2 s grid), the setting with the fewest calls per edit.
 */
export const FIXED_DEBOUNCE_BASELINE = 'sync: { debounceMode: fixed, debounce: 2s }';

/**
 * `BENCH_LATENCY_FRONTIER=3s,4s`: adaptive `sync.debounce` settings measured once per run beside the
 * defaults and the baseline (results JSON only, no target), to see the latency / calls frontier. Returns
 * each setting's config YAML; throws on a value that is not a duration like `3s` or `750ms`.
 */
export function frontierSettings(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((item) => {
    const duration = item.trim();
    if (!/^\d+(ms|s)$/.test(duration))
      throw new Error(`BENCH_LATENCY_FRONTIER: "${duration}" is not a duration like 3s or 750ms`);
    return `sync: { debounce: ${duration} }`;
  });
}

/** `extra`: YAML for the config ({@link FIXED_DEBOUNCE_BASELINE} for the baseline); empty means default settings. */
export async function measureChangeLatency(options: {
  leads: number;
  editsPerSecond: number;
  seconds: number;
  extra: string;
  name: string;
}): Promise<LatencyMeasure> {
  const serverPort = await freePort();
  const { rig, pairs } = await startLinkedRig({
    name: options.name,
    leads: options.leads,
    extra: options.extra,
    serverPort,
  });
  try {
    await control(`${rig.hubspot.url}/__emulator/faults`, { burstPer10s: 0 });
    const live = await startLive(rig, { workers: 1, serverPort });
    try {
      // Let the workers' start-up polls, and the reconciles of what they found, finish before the clock
      // starts: a fixed sleep would charge that work to a setting whose debounce holds it past the sleep.
      const liveAt = performance.now();
      await waitUntil(
        () => quietMs(rig.calls, liveAt, performance.now()) >= SETTLE_QUIET_MS,
        60_000,
        'start-up polls still calling the APIs',
        100,
      );
      rig.resetCounts();
      const store = rig.salesforce.state.store;
      const edits: Edit[] = [];
      const open = new Map<string, Edit[]>();
      const observer = setInterval(() => {
        const now = performance.now();
        for (const [leadId, pending] of open) {
          const title = store.get('Lead', leadId)?.Title;
          const landed = pending.findIndex((edit) => edit.title === title);
          if (landed === -1) continue;
          // This edit's value is there: it, and any older edit it superseded, reached Salesforce now.
          for (const edit of pending.splice(0, landed + 1)) edit.landedAt = now;
          if (pending.length === 0) open.delete(leadId);
        }
      }, 10);
      const total = Math.round(options.editsPerSecond * options.seconds);
      const intervalMs = 1000 / options.editsPerSecond;
      const started = performance.now();
      try {
        const sends: Promise<unknown>[] = [];
        for (let index = 0; index < total; index += 1) {
          const due = started + index * intervalMs;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          const pair = pairs[index % pairs.length]!;
          const edit: Edit = {
            leadId: pair.leadId,
            title: `Bench Title ${options.name} ${index}`,
            sentAt: performance.now(),
            landedAt: null,
          };
          edits.push(edit);
          open.set(pair.leadId, [...(open.get(pair.leadId) ?? []), edit]);
          sends.push(
            control(
              `${rig.hubspot.url}/__emulator/contacts/${pair.contactId}`,
              { properties: { jobtitle: edit.title } },
              'PATCH',
            ),
          );
        }
        await Promise.all(sends);
        await waitUntil(() => open.size === 0, 120_000, `${open.size} edited leads still waiting`, 50);
      } finally {
        clearInterval(observer);
      }
      await sleep(1_000);
      const calls = rig.calls.hubspot.length + rig.calls.salesforce.length;
      const latencies = edits.map((edit) => ((edit.landedAt ?? Number.NaN) - edit.sentAt) / 1000);
      return {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        edits: edits.length,
        callsPerEdit: calls / edits.length,
        callsByEndpoint: countByEndpoint(rig.calls),
      };
    } finally {
      await live.stop();
    }
  } finally {
    await rig.close();
  }
}
