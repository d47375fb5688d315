import { assertUntagged, hashTag } from '../src/store/keys.ts';

/** BullMQ queue names (no `:` allowed). One place, so producers and workers cannot disagree. */
export const QUEUE_NAMES = {
  ingest: 'leadbridge-ingest',
  /** One job per tenant at a time (deduplicated by tenant): reconciles that tenant's due pending records. */
  reconcile: 'leadbridge-reconcile',
  /** Job schedulers per tenant and system: the pollers, the safety net under the webhooks. */
  poll: 'leadbridge-poll',
  /** Job schedulers per tenant with `hubspot.ingest: journal`: reads the HubSpot Webhooks Journal. */
  journal: 'leadbridge-journal',
  /** Delayed jobs, one per open deadline of a lead (follow-up, reminder, feedback, recycle). */
  timers: 'leadbridge-timers',
  /** Owner decisions at handoff, notification deliveries and SLA escalation timers (jobs/notify/). */
  notify: 'leadbridge-notify',
} as const;

export type QueueRole = keyof typeof QUEUE_NAMES;

/** Redis key prefix for BullMQ; tests pass their own so they never touch a real install's keys. */
export const DEFAULT_QUEUE_PREFIX = 'leadbridge';

/** Whose work a queue holds when it is not shared by every tenant: a tenant, or one shard of a tenant. */
export interface QueueScope {
  tenant: string;
  shard?: string | number;
}

/**
 * The BullMQ `prefix` of one queue, with a Redis Cluster hash tag: `<base>:{<role>}` for a queue every
 * tenant shares (`leadbridge:{reconcile}` -> keys `leadbridge:{reconcile}:leadbridge-reconcile:wait`, ...),
 * `<base>:{<tenant>}` or `<base>:{<tenant>.<shard>}` for a queue of one tenant or tenant shard.
 *
 * BullMQ's Lua scripts touch many keys of one queue at once, so on a cluster every key of a queue must
 * hash to one slot (https://docs.bullmq.io/patterns/redis-cluster). One tag for the whole install would
 * put every queue on one node; a tag per queue lets the cluster place the queues on different nodes, and
 * a per-tenant queue takes the tenant's own tag (`hashTag`, as its state keys in src/store/keys.ts do),
 * so a tenant shard's queue and its keys share a slot and different tenants spread over the nodes.
 * Producers, workers and dashboards must all build the prefix here, or they would not see each other.
 */
export function queuePrefix(base: string, role: QueueRole, scope?: QueueScope): string {
  assertUntagged(base);
  const tag = scope ? hashTag(scope.tenant, scope.shard) : `{${role}}`;
  return `${base}:${tag}`;
}
