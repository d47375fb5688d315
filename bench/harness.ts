// What every scenario shares: both emulators in this process (so their counters can be read directly),
// a config file pointing at them, a Redis prefix of its own, and LeadBridge itself as real `leadbridge`
// child processes (backfill, worker, serve), started through the CLI as an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../connectors/hubspot/emulator/index.ts';
import type { ChangeSource } from '../connectors/hubspot/emulator/store.ts';
import { startSalesforceEmulator, type SalesforceEmulator } from '../connectors/salesforce/emulator/index.ts';
import { parseConfig } from '../src/config/load.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const cliPath = fileURLToPath(new URL('../bin/leadbridge.js', import.meta.url));

/** The HubSpot app secret and account the bench's config and the emulator's webhooks share. */
export const CLIENT_SECRET = 'bench-client-secret';
export const PORTAL_ID = 62515;

/** Every API call the emulators served, with when, so a run's span and its 429s are read at the source. */
export interface CallLog {
  hubspot: { at: number; status: number }[];
  salesforce: { at: number; status: number }[];
}

export interface Rig {
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  configFile: string;
  env: Record<string, string>;
  prefix: string;
  calls: CallLog;
  /** HubSpot contacts LeadBridge created / changed (source INTEGRATION), seen at the emulator's store. */
  hubspotWrites: { created: Set<string>; updated: Set<string> };
  /** Forgets every call and write counted so far (after set-up). */
  resetCounts(): void;
  close(): Promise<void>;
}

export interface RigOptions {
  name: string;
  contacts?: number;
  leads?: number;
  seed?: number;
  /** YAML appended to the config at the top level (e.g. `sync: { debounce: 100ms }`). */
  extra?: string;
  /** The HubSpot account's burst limit per 10 s (`hubspot.burstLimitPer10s`; default: the config's). */
  burstLimitPer10s?: number;
  /** Deliver HubSpot webhooks and Salesforce outbound messages to a `leadbridge serve` on this port. */
  serverPort?: number;
}

function configYaml(
  hubspot: HubSpotEmulator,
  salesforce: SalesforceEmulator,
  extra = '',
  burstLimitPer10s?: number,
): string {
  const burst = burstLimitPer10s === undefined ? '' : `\n      burstLimitPer10s: ${burstLimitPer10s}`;
  return `
tenants:
  - id: bench
    hubspot:
      accessToken: bench-token
      baseUrl: ${hubspot.url}
      clientSecret: ${CLIENT_SECRET}
      portalId: ${PORTAL_ID}${burst}
    salesforce:
      loginUrl: ${salesforce.url}
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: ${salesforce.orgId}
${extra}
`;
}

/** Both emulators seeded, LeadBridge's HubSpot properties installed, counters zeroed. */
export async function startRig(options: RigOptions): Promise<Rig> {
  const prefix = `lbbench-${options.name}-${process.pid}-${Date.now()}`;
  const seed = options.seed ?? 11;
  const target = options.serverPort ? `http://127.0.0.1:${options.serverPort}` : null;
  const hubspot = await startHubSpotEmulator({
    port: 0,
    seed,
    contacts: options.contacts ?? 0,
    ...(target
      ? {
          webhook: {
            targetUrl: `${target}/webhooks/hubspot`,
            clientSecret: CLIENT_SECRET,
            portalId: PORTAL_ID,
            appId: 1,
          },
        }
      : {}),
  });
  const salesforce = await startSalesforceEmulator({
    port: 0,
    seed,
    seedCount: options.leads ?? 0,
    ...(target ? { outboundMessages: { targetUrl: `${target}/webhooks/salesforce` } } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), `lbbench-${options.name}-`));
  const configFile = join(dir, 'leadbridge.config.yaml');
  writeFileSync(configFile, configYaml(hubspot, salesforce, options.extra, options.burstLimitPer10s));
  const config = parseConfig(readFileSync(configFile, 'utf8'), {});
  await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });

  const calls: CallLog = { hubspot: [], salesforce: [] };
  const hubspotSeen = new Map<string, Map<number, number>>();
  const recordHubSpot = hubspot.calls.set.bind(hubspot.calls);
  hubspot.calls.set = (endpoint, byStatus) => {
    // The emulator bumps the status count before it stores the map: the newest status is the one that grew.
    calls.hubspot.push({ at: performance.now(), status: lastStatus(byStatus, hubspotSeen, endpoint) });
    return recordHubSpot(endpoint, byStatus);
  };
  const usage = salesforce.state.usage;
  const countSalesforce = usage.count.bind(usage);
  usage.count = (endpoint: string, status: number) => {
    calls.salesforce.push({ at: performance.now(), status });
    countSalesforce(endpoint, status);
  };

  const hubspotWrites = { created: new Set<string>(), updated: new Set<string>() };
  const forward = hubspot.store.onChange;
  hubspot.store.onChange = (change) => {
    if ((change.source as ChangeSource) === 'INTEGRATION') {
      if (change.type === 'creation') hubspotWrites.created.add(change.objectId);
      else if (change.type === 'propertyChange' && !hubspotWrites.created.has(change.objectId))
        hubspotWrites.updated.add(change.objectId);
    }
    forward?.(change);
  };

  const resetCounts = () => {
    calls.hubspot.length = 0;
    calls.salesforce.length = 0;
    hubspotWrites.created.clear();
    hubspotWrites.updated.clear();
  };
  resetCounts();
  return {
    hubspot,
    salesforce,
    configFile,
    env: { REDIS_URL, LEADBRIDGE_REDIS_PREFIX: prefix },
    prefix,
    calls,
    hubspotWrites,
    resetCounts,
    async close() {
      await deleteKeys(prefix);
      await hubspot.close();
      await salesforce.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Which status count of `byStatus` grew since last seen (the emulator's map is updated in place). */
function lastStatus(
  byStatus: Map<number, number>,
  seen: Map<string, Map<number, number>>,
  endpoint: string,
): number {
  const before = seen.get(endpoint) ?? new Map<number, number>();
  let grown = 0;
  for (const [status, count] of byStatus) if (count !== (before.get(status) ?? 0)) grown = status;
  seen.set(endpoint, new Map(byStatus));
  return grown;
}

/** Deletes every key under `prefix` (SCAN, never FLUSHDB: the Redis is shared). */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** Sum of MEMORY USAGE over every key under `prefix`, in bytes, and the number of keys. */
export async function memoryUnder(prefix: string): Promise<{ bytes: number; keys: number }> {
  const redis = new Redis(REDIS_URL);
  try {
    let bytes = 0;
    let keys = 0;
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', 0);
      for (const [error, used] of (await pipeline.exec()) ?? []) {
        if (!error && typeof used === 'number') bytes += used;
      }
      keys += batch.length;
      cursor = next;
    } while (cursor !== '0');
    return { bytes, keys };
  } finally {
    await redis.quit();
  }
}

/** A running `leadbridge` child process with its output so far and its peak resident memory. */
export interface Cli {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** stdout alone (e.g. a `--json` summary). */
  stdout(): string;
  /** Peak RSS in bytes seen so far (VmHWM from /proc, sampled every 250 ms). */
  peakRss(): number;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

function readPeakRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts `leadbridge <args>` (the repository's bin, this Node) with `env` and LOG_LEVEL=warn. */
export function spawnCli(args: string[], env: Record<string, string>): Cli {
  return spawnNode([cliPath, ...args], env);
}

/** Starts `node <args>` with this Node, `env` and LOG_LEVEL=warn, sampling its peak RSS. */
export function spawnNode(args: string[], env: Record<string, string>): Cli {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid) peak = Math.max(peak, readPeakRss(child.pid));
  }, 250);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      clearInterval(sampler);
      resolve(code);
    });
  });
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    peakRss: () => (child.pid && child.exitCode === null ? Math.max(peak, readPeakRss(child.pid)) : peak),
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Resolves once the child's output matches `ready` (and returns the match); rejects if it exits first. */
export async function waitForOutput(cli: Cli, ready: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const match = cli.output().match(ready);
    if (match) return match;
    if (cli.child.exitCode !== null)
      throw new Error(`leadbridge exited (${cli.child.exitCode}) before ready:\n${cli.output()}`);
    if (Date.now() > until) throw new Error(`leadbridge not ready in ${timeoutMs} ms:\n${cli.output()}`);
    await sleep(50);
  }
}

/** A TCP port free right now on 127.0.0.1 (for a server whose URL the emulators must know first). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** POSTs (or PATCHes) JSON to an emulator control route; throws on a non-2xx answer. */
export async function control(url: string, body: unknown = {}, method = 'POST'): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}
