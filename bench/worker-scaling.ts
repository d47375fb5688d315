// Does a second worker process count? One tenant, `contacts` new HubSpot contacts all changed at once (a
// workflow touching them, webhooks on), both emulators answering after `latencyMs`: the time until
// LeadBridge has written every one of them back, with 1 worker process and with `workers`.
import { control, freePort, startRig, waitUntil } from './harness.ts';
import { startLive } from './live.ts';

/** Config for the run: a short debounce and no periodic polls, so the time is the workers' own. */
const SYNC = 'sync: { debounce: 100ms, pollInterval: 1h }';

/** Seconds from the mass change to the last contact written back, with `workers` worker processes. */
export async function drainSeconds(options: {
  workers: number;
  contacts: number;
  latencyMs: number;
}): Promise<number> {
  const serverPort = await freePort();
  const rig = await startRig({ name: `scale${options.workers}`, extra: SYNC, serverPort });
  try {
    const live = await startLive(rig, { workers: options.workers, serverPort });
    try {
      // Seeded contacts fire no webhooks and predate the first poll: nothing happens until the mass change.
      await control(`${rig.hubspot.url}/__emulator/seed`, { count: options.contacts });
      const ids = [...rig.hubspot.store.contacts.keys()];
      await control(`${rig.hubspot.url}/__emulator/faults`, { latencyMs: options.latencyMs, burstPer10s: 0 });
      await control(`${rig.salesforce.url}/__emulator/faults`, { latencyMs: options.latencyMs });
      rig.resetCounts();
      const start = performance.now();
      let last = start;
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
      return (last - start) / 1000;
    } finally {
      await live.stop();
    }
  } finally {
    await rig.close();
  }
}
