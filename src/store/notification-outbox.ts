import type { Redis } from 'ioredis';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';
import { LuaScript } from './lua-script.ts';

/** Where an event is in the outbox: just recorded, or its deliveries queued. */
export type OutboxState = 'new' | 'pending' | 'queued';

/**
 * Records an event once. KEYS[1] the event's hash; ARGV[1] the draft JSON, ARGV[2] TTL in seconds.
 * Returns 'new' the first time, else the stored state ('pending' until its jobs are queued).
 */
const CLAIM = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'draft', ARGV[1], 'state', 'pending')
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 'new'
end
return redis.call('HGET', KEYS[1], 'state') or 'pending'
`);

export interface NotificationOutboxOptions {
  /** Key prefix (default `leadbridge:store`). */
  prefix?: string;
  /** How long an event and its delivery markers are remembered, in seconds (default 30 days). */
  retentionSeconds?: number;
}

/**
 * The notification outbox: one small hash per event (`<prefix>:{tenant}:notify:<key>`) recording it once,
 * and one marker per event and channel once delivered (`…:notify-sent:<key>:<channel>`), kept for the
 * retention period. A replayed transition finds its event already there and is not queued again; a
 * delivery job that runs twice finds the marker and does not send twice. The one window left, a crash
 * between sending and setting the marker, resends with the same `webhook-id` (at least once; the
 * receiver deduplicates), and for Salesforce Tasks is closed by looking for the Task before creating it.
 */
export class NotificationOutbox {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttl: number;

  constructor(redis: Redis, options: NotificationOutboxOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
    this.#ttl = options.retentionSeconds ?? 30 * 86_400;
  }

  #eventKey(tenant: string, key: string): string {
    return tenantKey(this.#prefix, tenant, 'notify', key);
  }

  #sentKey(tenant: string, key: string, channel: string): string {
    return tenantKey(this.#prefix, tenant, 'notify-sent', key, channel);
  }

  /** Records the event if it is new; says whether its jobs still need queueing ('new' or 'pending'). */
  async claim(tenant: string, key: string, draft: unknown): Promise<OutboxState> {
    const state = await CLAIM.run(
      this.#redis,
      [this.#eventKey(tenant, key)],
      [JSON.stringify(draft), this.#ttl],
    );
    return state === 'new' || state === 'queued' ? state : 'pending';
  }

  /** True once the event was recorded (by any worker, for the retention period). */
  async has(tenant: string, key: string): Promise<boolean> {
    return (await this.#redis.exists(this.#eventKey(tenant, key))) === 1;
  }

  async markQueued(tenant: string, key: string): Promise<void> {
    await this.#redis.hset(this.#eventKey(tenant, key), 'state', 'queued');
  }

  /** Remembers a value for the event (the owner picked at handoff) unless one is there; returns the kept one. */
  async remember(tenant: string, key: string, field: string, value: string): Promise<string> {
    const eventKey = this.#eventKey(tenant, key);
    const replies = await this.#redis.multi().hsetnx(eventKey, field, value).hget(eventKey, field).exec();
    const kept = replies?.[1]?.[1];
    return typeof kept === 'string' ? kept : value;
  }

  async recall(tenant: string, key: string, field: string): Promise<string | null> {
    return this.#redis.hget(this.#eventKey(tenant, key), field);
  }

  async isSent(tenant: string, key: string, channel: string): Promise<boolean> {
    return (await this.#redis.exists(this.#sentKey(tenant, key, channel))) === 1;
  }

  async markSent(tenant: string, key: string, channel: string, detail: string): Promise<void> {
    await this.#redis.set(this.#sentKey(tenant, key, channel), detail, 'EX', this.#ttl);
  }
}
