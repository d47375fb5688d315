// Change -> other system latency at a steady edit rate: people edit HubSpot contacts (`jobtitle`, synced
// two-way to the Salesforce Lead's `Title`) at `rate` edits per second for `seconds`, each edit handed to
// the ingest queue as the webhook route would; the time from an edit to Salesforce showing its value (or
// a later one of the same record, which includes it) is its latency. Also counts the API calls the
// emulators served in that window, per edit. Run on its own:
//   node bench/edit-latency.ts [--rate 50] [--seconds 20] [--records 500] [--workers 1] [--debounce 2s]
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../connectors/hubspot/emulator/index.ts';
import { startSalesforceEmulator, type SalesforceEmulator } from '../connectors/salesforce/emulator/index.ts';
import { enqueueChangeEvents } from '../jobs/ingest-queue.ts';
import { reconcileBatch } from '../jobs/reconcile/reconcile-batch.ts';
import { parseConfig } from '../src/config/load.ts';
import { deleteKeys, emulatorConfig, qualifiedContact } from '../test/helpers/emulators.ts';
import { startWorkerPool } from './worker-pool.ts';

export interface EditLatencyOptions {
  /** Edits per second. */
  rate: number;
  seconds: number;
  /** Distinct contacts the edits are spread over (uniformly at random). */
  records: number;
  workers: number;
  /** `sync.debounce` (default: the config's default). */
  debounce?: string;
  redisUrl?: string;
}

export interface EditLatencyResult {
  edits: number;
  /** Latency percentiles, milliseconds. */
  p50: number;
  p99: number;
  max: number;
  /** Edits never seen in Salesforce within 30 s after the last edit. */
  lost: number;
  /** API calls (both emulators) in the edit window and its drain, per edit. */
  callsPerEdit: number;
  /** 429 answers in that window. */
  rateLimited: number;
}

function totalCalls(hubspot: HubSpotEmulator, salesforce: SalesforceEmulator): number {
  let total = 0;
  for (const byStatus of hubspot.calls.values()) for (const n of byStatus.values()) total += n;
  for (const byStatus of Object.values(salesforce.state.usage.stats().calls))
    for (const n of Object.values(byStatus)) total += n;
  return total;
}

function rateLimited(hubspot: HubSpotEmulator, salesforce: SalesforceEmulator): number {
  let total = 0;
  for (const byStatus of hubspot.calls.values()) total += byStatus.get(429) ?? 0;
  for (const byStatus of Object.values(salesforce.state.usage.stats().calls)) total += byStatus['429'] ?? 0;
  return total;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function measureEditLatency(options: EditLatencyOptions): Promise<EditLatencyResult> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-edit-latency-${process.pid}-${Date.now()}`;
  // The portal's burst limit is off and ours is high: this measures latency and batching, not the limiter
  // (a 429 blocks the tenant for 10 s and would swamp the figure).
  const hubspot = await startHubSpotEmulator({
    port: 0,
    seed: 7,
    contacts: 0,
    webhookApiChanges: false,
    faults: { burstPer10s: 0 },
  });
  const salesforce = await startSalesforceEmulator({ port: 0, seed: 7 });
  const sync = options.debounce
    ? `sync: { debounce: ${options.debounce}, pollInterval: 1h }`
    : 'sync: { pollInterval: 1h }';
  const config = parseConfig(emulatorConfig(hubspot, salesforce, { extra: sync }), {});
  config.tenants[0]!.hubspot.burstLimitPer10s = 100_000;
  await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const pool = await startWorkerPool(config, { workers: options.workers, redisUrl, prefix });
  try {
    // Linked leads to edit: qualified contacts, handed off to Salesforce before the clock starts.
    const contacts: Array<{ id: string; leadId: string }> = [];
    const store = hubspot;
    const ids: string[] = [];
    for (let i = 0; i < options.records; i++) {
      const response = await fetch(`${store.url}/__emulator/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: qualifiedContact(`edit-${i}@latency.example`) }),
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    const engine = pool.workers[0]!.engine;
    for (let i = 0; i < ids.length; i += 100) {
      await reconcileBatch(
        engine,
        'acme',
        ids.slice(i, i + 100).map((id) => ({ system: 'hubspot', id })),
      );
    }
    for (const id of ids) {
      const leadId = (await engine.links.find('acme', 'hubspot', id))?.salesforceLead;
      if (leadId) contacts.push({ id, leadId });
    }
    // Let the handoff's own follow-up work (notifications, owner steps) settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const outstanding = new Map<string, Array<{ value: string; at: number }>>();
    const latencies: number[] = [];
    let edits = 0;
    const callsBefore = totalCalls(hubspot, salesforce);
    const limitedBefore = rateLimited(hubspot, salesforce);
    const watcher = setInterval(() => {
      const now = Date.now();
      for (const [leadId, list] of outstanding) {
        const title = String(salesforce.state.store.get('Lead', leadId)?.Title ?? '');
        const index = list.findIndex((edit) => edit.value === title);
        if (index < 0) continue;
        for (const edit of list.splice(0, index + 1)) latencies.push(now - edit.at);
        if (list.length === 0) outstanding.delete(leadId);
      }
    }, 10);
    const started = Date.now();
    const intervalMs = 1000 / options.rate;
    let sequence = 0;
    const inFlight: Array<Promise<void>> = [];
    const edit = async (contact: { id: string; leadId: string }, value: string, n: number) => {
      const at = Date.now();
      const list = outstanding.get(contact.leadId) ?? [];
      list.push({ value, at });
      outstanding.set(contact.leadId, list);
      await fetch(`${store.url}/__emulator/contacts/${contact.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { jobtitle: value } }),
      });
      await enqueueChangeEvents(pool.workers[0]!.queues.ingest, [
        {
          tenant: 'acme',
          system: 'hubspot',
          objectId: contact.id,
          occurredAt: new Date(at).toISOString(),
          kind: 'updated',
          source: 'webhook',
          dedupKey: `edit-latency-${n}`,
        },
      ]);
    };
    // Edits start on a fixed schedule, not one after the other, so a slow answer does not lower the rate;
    // one record's edits stay in order (each waits for the previous edit of the same record).
    const lastOf = new Map<string, Promise<void>>();
    while (Date.now() - started < options.seconds * 1000) {
      const wait = started + edits * intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const contact = contacts[Math.floor(Math.random() * contacts.length)]!;
      sequence += 1;
      const n = sequence;
      const previous = lastOf.get(contact.id) ?? Promise.resolve();
      const next = previous.then(() => edit(contact, `VP Edit ${n}`, n));
      lastOf.set(contact.id, next);
      inFlight.push(next);
      edits += 1;
    }
    await Promise.all(inFlight);
    const drainUntil = Date.now() + 30_000;
    while (outstanding.size > 0 && Date.now() < drainUntil)
      await new Promise((resolve) => setTimeout(resolve, 50));
    clearInterval(watcher);
    const lost = [...outstanding.values()].reduce((sum, list) => sum + list.length, 0);
    if (process.env.EDIT_LATENCY_DEBUG) {
      const queue = pool.workers[0]!.queues.reconcile;
      const jobs = await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active'], 0, 2000);
      const retried = jobs.filter((job) => job.attemptsMade > 1 || job.failedReason);
      const sizes = jobs.filter((job) => job.returnvalue?.refs > 0).map((job) => job.returnvalue.refs);
      process.stderr.write(`batches=${sizes.length} sizes=${sizes.join(',')}\n`);
      process.stderr.write(
        `${JSON.stringify(await queue.getJobCounts())} retried=${retried.length} ${retried
          .slice(0, 3)
          .map((job) => job.failedReason)
          .join(
            ' | ',
          )} pending=${await pool.workers[0]!.pending.count('acme')} claimed=${await pool.workers[0]!.pending.claimedCount('acme')} due=${JSON.stringify(await pool.workers[0]!.pending.dueByShard('acme'))} now=${Date.now()}\n`,
      );
    }
    const calls = totalCalls(hubspot, salesforce) - callsBefore;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      edits,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
      lost,
      callsPerEdit: calls / edits,
      rateLimited: rateLimited(hubspot, salesforce) - limitedBefore,
    };
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
      rate: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '20' },
      records: { type: 'string', default: '500' },
      workers: { type: 'string', default: '1' },
      debounce: { type: 'string' },
    },
  });
  const result = await measureEditLatency({
    rate: Number(values.rate),
    seconds: Number(values.seconds),
    records: Number(values.records),
    workers: Number(values.workers),
    ...(values.debounce ? { debounce: values.debounce } : {}),
  });
  process.stdout.write(`${JSON.stringify({ ...values, ...result })}\n`);
}
