// Several workers on one tenant: time to reconcile a backlog of new HubSpot contacts (each handed off,
// so a Salesforce Lead is created) with 1 worker and with N, in this process (their I/O overlaps; they
// share this process's CPU). Emulator latency makes the run I/O-bound, as a real API is.
//   node bench/workers-scale.ts [--contacts 400] [--latency 50] [--workers 2]
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { startHubSpotEmulator } from '../connectors/hubspot/emulator/index.ts';
import { startSalesforceEmulator } from '../connectors/salesforce/emulator/index.ts';
import { enqueueChangeEvents } from '../jobs/ingest-queue.ts';
import { parseConfig } from '../src/config/load.ts';
import { deleteKeys, emulatorConfig, qualifiedContact } from '../test/helpers/emulators.ts';
import { startWorkerPool } from './worker-pool.ts';

/** Milliseconds from enqueueing `contacts` change events to an empty pending set, with `workers` workers. */
export async function backlogMs(contacts: number, latencyMs: number, workers: number): Promise<number> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-workers-scale-${process.pid}-${Date.now()}`;
  const hubspot = await startHubSpotEmulator({
    port: 0,
    seed: 3,
    contacts: 0,
    webhookApiChanges: false,
    faults: { burstPer10s: 0, latencyMs },
  });
  const salesforce = await startSalesforceEmulator({ port: 0, seed: 3 });
  await fetch(`${salesforce.url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs }),
  });
  const config = parseConfig(
    emulatorConfig(hubspot, salesforce, { extra: 'sync: { pollInterval: 1h }' }),
    {},
  );
  config.tenants[0]!.hubspot.burstLimitPer10s = 100_000;
  await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const ids: string[] = [];
  for (let i = 0; i < contacts; i++) {
    const response = await fetch(`${hubspot.url}/__emulator/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: qualifiedContact(`scale-${i}@workers.example`) }),
    });
    ids.push(((await response.json()) as { id: string }).id);
  }
  const pool = await startWorkerPool(config, { workers, redisUrl, prefix });
  try {
    const started = Date.now();
    await enqueueChangeEvents(
      pool.workers[0]!.queues.ingest,
      ids.map((id, n) => ({
        tenant: 'acme',
        system: 'hubspot' as const,
        objectId: id,
        occurredAt: new Date().toISOString(),
        kind: 'created' as const,
        source: 'webhook' as const,
        dedupKey: `scale-${n}`,
      })),
    );
    const pending = pool.workers[0]!.pending;
    // Done when every contact has its Lead and nothing is pending or claimed.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const left = (await pending.count('acme')) + (await pending.claimedCount('acme'));
      const ingest = await pool.workers[0]!.queues.ingest.getJobCounts('waiting', 'active', 'delayed');
      const queued = (ingest.waiting ?? 0) + (ingest.active ?? 0) + (ingest.delayed ?? 0);
      if (left === 0 && queued === 0 && salesforce.state.store.rows('Lead').length >= contacts) break;
    }
    return Date.now() - started;
  } finally {
    await pool.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      contacts: { type: 'string', default: '400' },
      latency: { type: 'string', default: '50' },
      workers: { type: 'string', default: '2' },
    },
  });
  const contacts = Number(values.contacts);
  const latency = Number(values.latency);
  const one = await backlogMs(contacts, latency, 1);
  const many = await backlogMs(contacts, latency, Number(values.workers));
  process.stdout.write(
    `${JSON.stringify({ contacts, latencyMs: latency, oneWorkerMs: one, workers: Number(values.workers), manyWorkersMs: many, speedup: one / many })}\n`,
  );
}
