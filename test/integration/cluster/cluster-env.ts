import type { Redis } from 'ioredis';
import { createRedis, deleteMatching, masterNodes } from '../../../src/store/redis.ts';
import { silentLogger } from '../../../src/log/logger.ts';

/**
 * The Redis Cluster the cluster tests run on: `redis+cluster://host:port,...`. `.ci/run` starts a local
 * 3-master cluster (`.ci/redis-cluster`) and sets it; a developer without one can run `npm test` and these
 * suites are skipped, saying so.
 */
export const CLUSTER_URL = process.env.LEADBRIDGE_TEST_REDIS_CLUSTER_URL ?? '';

/** The suite title, with why it is skipped when no cluster is configured. */
export function clusterSuite(title: string): string {
  if (CLUSTER_URL) return title;
  return `${title} [SKIPPED: no Redis Cluster; set LEADBRIDGE_TEST_REDIS_CLUSTER_URL (run .ci/redis-cluster to start one)]`;
}

/** A unique key base per test file and run. */
export function clusterPrefix(name: string): string {
  return `lbtest-cluster-${name}-${process.pid}-${Date.now()}`;
}

export function connectCluster(): Redis {
  return createRedis(CLUSTER_URL, silentLogger(), { maxRetriesPerRequest: 3 });
}

/** Deletes the keys under `prefix` on every master. */
export async function dropClusterKeys(redis: Redis, prefix: string): Promise<void> {
  await deleteMatching(redis, `${prefix}*`);
}

/** Every key under `prefix`, with the master (`host:port`) that holds it. */
export async function keysByNode(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const where = new Map<string, string>();
  for (const node of masterNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      for (const key of keys) where.set(key, `${node.options.host}:${node.options.port}`);
      cursor = next;
    } while (cursor !== '0');
  }
  return where;
}

/** The slot Redis gives `key` (CLUSTER KEYSLOT). */
export async function slotOf(redis: Redis, key: string): Promise<number> {
  return Number(await redis.call('CLUSTER', 'KEYSLOT', key));
}
