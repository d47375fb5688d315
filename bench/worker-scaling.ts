// Does a second worker process count when the work is I/O-bound? One tenant, `contacts` new HubSpot
// contacts all changed at once (a workflow touching them, webhooks on), both emulators answering after
// `latencyMs`: the time until LeadBridge has written every one of them back, with 1 worker process and
// with `workers`.
//
// The issue asks for this at 50 ms; the bench measures it there and at 500 ms.
// I/O-bound means the batches' time goes to waiting on the APIs, not to our CPU or a rate limit:
// - the latency must outweigh the CPU. A batch of 100 contacts waits two calls (read, write) but costs
//   about 110 ms of CPU over all processes (ingest of its webhooks and their echoes, reconcile, the
//   server's route, the emulators, Redis). At 50 ms a call one worker process is CPU-bound and, on the
//   2-core bench machine that hosts everything, two cannot reach 1.8x whatever the scheduling. At 500 ms
//   (a HubSpot batch update of 100 contacts takes about that) the waiting dominates;
// - the account's limit must not be the bound: the tenant is a Professional/Enterprise portal
//   (`burstLimitPer10s: 190`), as in the backfill figures, and the emulator enforces no limit of its own.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { control, freePort, REDIS_URL, startRig, waitUntil } from './harness.ts';
import { startLive } from './live.ts';

/** Config for the run: a short debounce and no periodic polls, so the time is the workers' own. */
const SYNC = 'sync: { debounce: 100ms, pollInterval: 1h }';

/** The tenant's HubSpot burst limit per 10 s (a Professional/Enterprise account). */
const BURST_PER_10S = 190;

/** How often the in-flight batches and the API calls are sampled, in milliseconds. */
const SAMPLE_MS = 250;

export interface Drain {
  seconds: number;
  /** API calls served over the drain, per system, and per second (both systems). */
  calls: { hubspot: number; salesforce: number; perSecond: number };
  /** The tenant's running reconcile batches, sampled every `SAMPLE_MS`: peak and mean. */
  inFlight: { peak: number; mean: number; samples: number[] };
  /** CPU time (user + system) over the drain, in milliseconds: each worker, the server, the bench process (emulators). */
  cpuMs: { workers: number[]; server: number; bench: number };
}

/** CPU time of a process so far (user + system, /proc/<pid>/stat), in milliseconds; 0 when unreadable. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Seconds from the mass change to the last contact written back, with `workers` worker processes. */
export async function drainSeconds(options: {
  workers: number;
  contacts: number;
  latencyMs: number;
}): Promise<Drain> {
  const serverPort = await freePort();
  const rig = await startRig({
    name: `scale${options.workers}`,
    extra: SYNC,
    serverPort,
    hubspotBurstLimitPer10s: BURST_PER_10S,
  });
  const redis = new Redis(REDIS_URL);
  try {
    const live = await startLive(rig, { workers: options.workers, serverPort });
    try {
      // Seeded contacts fire no webhooks and predate the first poll: nothing happens until the mass change.
      await control(`${rig.hubspot.url}/__emulator/seed`, { count: options.contacts });
      const ids = [...rig.hubspot.store.contacts.keys()];
      await control(`${rig.hubspot.url}/__emulator/faults`, { latencyMs: options.latencyMs, burstPer10s: 0 });
      await control(`${rig.salesforce.url}/__emulator/faults`, { latencyMs: options.latencyMs });
      rig.resetCounts();
      const pids = live.workers.map((worker) => worker.child.pid);
      const cpuBefore = {
        workers: pids.map(processCpuMs),
        server: processCpuMs(live.server?.child.pid),
        bench: process.cpuUsage(),
      };
      // The tenant's batch semaphore (jobs/pending-refs.ts): one member per running batch.
      const semaphore = `${rig.prefix}:store:{bench}:batches`;
      const inFlight: number[] = [];
      const sampler = setInterval(() => {
        redis.zcount(semaphore, Date.now(), '+inf').then(
          (count) => inFlight.push(count),
          () => {},
        );
      }, SAMPLE_MS);
      const start = performance.now();
      let last = start;
      try {
        await control(`${rig.hubspot.url}/__emulator/mass-update`, {
          properties: { jobtitle: 'Bench Analyst' },
          notify: true,
        });
        await waitUntil(
          () => {
            const done = ids.every((id) => rig.hubspotWrites.updated.has(id));
            if (!done) last = performance.now();
            return done;
          },
          10 * 60_000,
          `${options.workers} worker(s) writing back ${ids.length} contacts`,
          50,
        );
      } finally {
        clearInterval(sampler);
      }
      const seconds = (last - start) / 1000;
      const bench = process.cpuUsage(cpuBefore.bench);
      const hubspot = rig.calls.hubspot.length;
      const salesforce = rig.calls.salesforce.length;
      return {
        seconds,
        calls: { hubspot, salesforce, perSecond: Math.round(((hubspot + salesforce) / seconds) * 10) / 10 },
        inFlight: {
          peak: Math.max(0, ...inFlight),
          mean:
            Math.round((inFlight.reduce((sum, n) => sum + n, 0) / Math.max(1, inFlight.length)) * 10) / 10,
          samples: inFlight,
        },
        cpuMs: {
          workers: pids.map((pid, i) => processCpuMs(pid) - cpuBefore.workers[i]!),
          server: processCpuMs(live.server?.child.pid) - cpuBefore.server,
          bench: Math.round((bench.user + bench.system) / 1000),
        },
      };
    } finally {
      await live.stop();
    }
  } finally {
    await redis.quit();
    await rig.close();
  }
}
