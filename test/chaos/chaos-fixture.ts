import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import type { HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';
import { tenantKey } from '../../src/store/keys.ts';
import { spawnCli } from '../helpers/cli.ts';

/** A CLI process of the product, with its output kept for failure messages. */
export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function launch(args: string[], env: Record<string, string | undefined>): Running {
  const child = spawnCli(args, env);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Kills `running` with SIGKILL (no cleanup, as a crash or an OOM kill) and waits until it is gone. */
export async function kill(running: Running): Promise<void> {
  if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  await running.exited;
}

/**
 * Kills `running` from inside the Salesforce emulator, right before the `nth` record insert: the create
 * request has been sent and will be carried out, but the process never sees its outcome.
 */
export function killAtInsert(salesforce: SalesforceEmulator, running: Running, nth: number): () => void {
  const store = salesforce.state.store;
  const original = store.insert.bind(store);
  let seen = 0;
  store.insert = (...args) => {
    seen += 1;
    if (seen === nth) running.child.kill('SIGKILL');
    return original(...args);
  };
  return () => {
    store.insert = original;
  };
}

/** Salesforce Leads per lower-cased email (live rows only). */
export function leadsByEmail(salesforce: SalesforceEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of salesforce.state.store.rows('Lead')) {
    if (row.IsDeleted || typeof row.Email !== 'string') continue;
    const email = row.Email.toLowerCase();
    counts.set(email, (counts.get(email) ?? 0) + 1);
  }
  return counts;
}

/** Records beyond the first per email, in both systems: what a crash must never leave. */
export function duplicates(hubspot: HubSpotEmulator, salesforce: SalesforceEmulator): number {
  let extra = 0;
  for (const count of leadsByEmail(salesforce).values()) extra += count - 1;
  const contacts = new Map<string, number>();
  for (const contact of hubspot.store.contacts.values()) {
    const email = contact.properties.email?.toLowerCase();
    if (!email || contact.archived) continue;
    contacts.set(email, (contacts.get(email) ?? 0) + 1);
  }
  for (const count of contacts.values()) extra += count - 1;
  return extra;
}

/** Write calls the emulators served so far (HubSpot batch writes; Salesforce collection writes). */
export function writeCalls(hubspot: HubSpotEmulator, salesforce: SalesforceEmulator): number {
  let total = 0;
  for (const [endpoint, byStatus] of hubspot.calls) {
    if (/batch\/(update|upsert|create)|^PATCH /.test(endpoint)) for (const n of byStatus.values()) total += n;
  }
  for (const [endpoint, byStatus] of Object.entries(salesforce.state.usage.stats().calls)) {
    if (/^(POST|PATCH|DELETE) \/composite\/sobjects$|^PATCH \/composite\/sobjects\/\w+\/\w+$/.test(endpoint))
      for (const n of Object.values(byStatus)) total += n;
  }
  return total;
}

/** Every API call the emulators served so far. */
export function apiCalls(hubspot: HubSpotEmulator, salesforce: SalesforceEmulator): number {
  let total = 0;
  for (const byStatus of hubspot.calls.values()) for (const n of byStatus.values()) total += n;
  for (const byStatus of Object.values(salesforce.state.usage.stats().calls))
    for (const n of Object.values(byStatus)) total += n;
  return total;
}

/** One line per figure, for the CI log and the notes. */
export function report(scenario: string, figures: Record<string, number | string>): void {
  const line = Object.entries(figures)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  process.stdout.write(`[chaos] ${scenario}: ${line}\n`);
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Live records of either emulator that LeadBridge has not linked (by id, in the link table's indexes):
 * what a run that did not converge leaves behind. `prefix` is the run's LEADBRIDGE_REDIS_PREFIX.
 */
export async function unlinkedRecords(
  prefix: string | undefined,
  hubspot: HubSpotEmulator,
  salesforce: SalesforceEmulator,
  tenant = 'acme',
): Promise<string[]> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  try {
    const store = `${prefix ?? 'leadbridge'}:store`;
    const contacts = [...hubspot.store.contacts.values()].filter((c) => !c.archived).map((c) => c.id);
    const leads = salesforce.state.store
      .rows('Lead')
      .filter((row) => !row.IsDeleted)
      .map((row) => String(row.Id));
    const missing: string[] = [];
    if (contacts.length > 0) {
      const found = await redis.hmget(tenantKey(store, tenant, 'by-hubspot'), ...contacts);
      contacts.forEach((id, i) => found[i] === null && missing.push(`hubspot:${id}`));
    }
    if (leads.length > 0) {
      const found = await redis.hmget(tenantKey(store, tenant, 'by-salesforce'), ...leads);
      leads.forEach((id, i) => found[i] === null && missing.push(`salesforce:${id}`));
    }
    return missing;
  } finally {
    await redis.quit();
  }
}
