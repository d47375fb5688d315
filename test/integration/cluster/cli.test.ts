import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/index.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { runCli } from '../../helpers/cli.ts';
import { createContact, emulatorConfig, qualifiedContact } from '../../helpers/emulators.ts';
import {
  CLUSTER_URL,
  clusterPrefix,
  clusterSuite,
  connectCluster,
  dropClusterKeys,
  keysByNode,
} from './cluster-env.ts';

describe.skipIf(!CLUSTER_URL)(clusterSuite('the built CLI with REDIS_URL=redis+cluster://'), () => {
  const prefix = clusterPrefix('cli');
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let redis: Redis;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ port: 0, seed: 41, contacts: 0, webhookApiChanges: false });
    salesforce = await startSalesforceEmulator({ port: 0, seed: 41 });
    dir = mkdtempSync(join(tmpdir(), 'leadbridge-cluster-cli-'));
    configFile = join(dir, 'leadbridge.config.yaml');
    writeFileSync(configFile, emulatorConfig(hubspot, salesforce));
    const config = parseConfig(emulatorConfig(hubspot, salesforce), {});
    await new HubSpotConnector(config.tenants[0]!, config).install({ dryRun: false });
    redis = connectCluster();
  });

  afterAll(async () => {
    await dropClusterKeys(redis, prefix);
    await redis.quit();
    await hubspot.close();
    await salesforce.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sync --once hands a qualifying contact to Salesforce, its state kept on the cluster', async () => {
    await createContact(hubspot, qualifiedContact('ada@cluster-cli.example'));
    const env = { REDIS_URL: CLUSTER_URL, LEADBRIDGE_REDIS_PREFIX: prefix };
    const run = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/salesforce 1 \(1 created\)/);
    expect(salesforce.state.store.rows('Lead')).toEqual([
      expect.objectContaining({ Email: 'ada@cluster-cli.example' }),
    ]);
    const keys = [...(await keysByNode(redis, `${prefix}:store:{acme}:`)).keys()];
    expect(keys).toEqual(
      expect.arrayContaining([`${prefix}:store:{acme}:links`, `${prefix}:store:{acme}:state`]),
    );
  });

  it('demo runs the whole product on the cluster and deletes its keys on every master', async () => {
    const run = await runCli(['demo', '--port', '0'], { REDIS_URL: CLUSTER_URL }, 110_000);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const demoPrefix = /deleting the demo's keys \((leadbridge-demo-[0-9a-f]+):\*\)/.exec(run.stdout)?.[1];
    expect(demoPrefix).toBeDefined();
    expect((await keysByNode(redis, `${demoPrefix}:`)).size).toBe(0);
  }, 120_000);

  it('a cluster URL without nodes stops the command with one line naming REDIS_URL, exit code 2', async () => {
    const run = await runCli(['sync', '--once', '--config', configFile], { REDIS_URL: 'redis+cluster://' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /REDIS_URL: redis\+cluster:\/\/ lists no node \(write redis\+cluster:\/\/host:port,host:port\)/,
    );
  });
});
