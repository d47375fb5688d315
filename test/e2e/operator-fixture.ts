import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { HubSpotConnector } from '../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { deleteKeys, emulatorConfig, type EmulatorConfigOptions } from '../helpers/emulators.ts';

export { createContact, qualifiedContact } from '../helpers/emulators.ts';

/** Shared by the end-to-end tests of the CLI: both emulators, a config file for them, Redis under a prefix. */
export interface OperatorFixture {
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  dir: string;
  /** Writes a config file for the emulators (plus `extra` YAML at the top level) and returns its path. */
  writeConfig(name: string, options?: EmulatorConfigOptions): string;
  /** What `leadbridge install` does first: the leadbridge_* HubSpot contact properties of that config. */
  installHubSpot(configFile: string): Promise<void>;
  env: Record<string, string>;
  close(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function startOperatorFixture(
  name: string,
  options: { hubspotToken?: string; seed?: number } = {},
): Promise<OperatorFixture> {
  const prefix = `lbtest-e2e-${name}-${process.pid}-${Date.now()}`;
  const seed = options.seed ?? 5;
  const hubspot = await startHubSpotEmulator({
    port: 0,
    seed,
    contacts: 0,
    ...(options.hubspotToken ? { token: options.hubspotToken } : {}),
  });
  const salesforce = await startSalesforceEmulator({ port: 0, seed });
  const dir = mkdtempSync(join(tmpdir(), `leadbridge-${name}-`));
  return {
    hubspot,
    salesforce,
    dir,
    env: { REDIS_URL, LEADBRIDGE_REDIS_PREFIX: prefix },
    writeConfig(file, config = {}) {
      const path = join(dir, file);
      writeFileSync(path, emulatorConfig(hubspot, salesforce, config));
      return path;
    },
    async installHubSpot(configFile) {
      const config = parseConfig(readFileSync(configFile, 'utf8'), {});
      await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    },
    async close() {
      const redis = new Redis(REDIS_URL);
      await deleteKeys(redis, prefix);
      await redis.quit();
      await hubspot.close();
      await salesforce.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a suite that runs the CLI against an installed HubSpot needs; set once its beforeAll ran. */
export interface InstalledFixture {
  fixture: OperatorFixture;
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
  env: Record<string, string>;
  /** `leadbridge.config.yaml` in the fixture's directory. */
  configFile: string;
}

/**
 * Registers the suite's hooks: before its tests, the emulators start, `leadbridge.config.yaml` is written
 * with `config` and the leadbridge_* HubSpot properties are installed; after them, all is closed.
 */
export function useInstalledFixture(
  name: string,
  options: { hubspotToken?: string; seed?: number } = {},
  config: EmulatorConfigOptions = {},
): InstalledFixture {
  const installed = {} as InstalledFixture;
  beforeAll(async () => {
    const fixture = await startOperatorFixture(name, options);
    const configFile = fixture.writeConfig('leadbridge.config.yaml', config);
    const { hubspot, salesforce, env } = fixture;
    Object.assign(installed, { fixture, hubspot, salesforce, env, configFile });
    await fixture.installHubSpot(configFile);
  });
  afterAll(async () => {
    await installed.fixture?.close();
  });
  return installed;
}

/** API calls the HubSpot emulator served whose endpoint matches, summed over statuses. */
export function hubspotCalls(hubspot: HubSpotEmulator, endpoint: RegExp): number {
  let total = 0;
  for (const [name, byStatus] of hubspot.calls) {
    if (endpoint.test(name)) for (const count of byStatus.values()) total += count;
  }
  return total;
}

/**
 * Gives the Salesforce emulator's default rep (who owns the leads its assignment rule does not route) a
 * HubSpot seat, so the owner step `sync --once` runs after a handoff maps the owner instead of recording
 * `HUBSPOT_OWNER_UNKNOWN`; for tests about other failures.
 */
export function giveDefaultRepAHubSpotSeat(hubspot: HubSpotEmulator): void {
  if (hubspot.owners.some((owner) => owner.email === 'rep@leadbridge.example')) return;
  hubspot.owners.push({
    id: '199',
    email: 'rep@leadbridge.example',
    firstName: 'Rex',
    lastName: 'Rep',
    userId: 9099,
    archived: false,
  });
}
