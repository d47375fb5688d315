import type { Redis } from 'ioredis';
import type { SystemName } from '../domain/lead.ts';
import { DEFAULT_STORE_PREFIX, tenantKey } from './keys.ts';

/** The tenant's health hash: `<prefix>:{tenant}:health`. */
export function healthKey(prefix: string, tenant: string): string {
  return tenantKey(prefix, tenant, 'health');
}

/** The health hash field counting a system's webhook echoes of our own writes that ingest dropped. */
export function echoCountField(system: SystemName): string {
  return `echoes:${system}`;
}

/**
 * Per tenant, when each system was last polled to the end without an error (`<prefix>:{tenant}:health`,
 * a hash `poll:<system>` -> ISO-8601 instant), and how many echoes of our own writes ingest dropped per
 * system (`echoes:<system>` -> count, src/store/written-values.ts). Read by `leadbridge status`, `/status`
 * and `/metrics`.
 */
export class SyncHealth {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: { prefix?: string } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_STORE_PREFIX;
  }

  key(tenant: string): string {
    return healthKey(this.#prefix, tenant);
  }

  async recordPoll(tenant: string, system: SystemName, at: Date): Promise<void> {
    await this.#redis.hset(this.key(tenant), `poll:${system}`, at.toISOString());
  }

  /** Last successful poll per system; a system never polled is absent. */
  async lastPolls(tenant: string): Promise<Partial<Record<SystemName, string>>> {
    const raw = await this.#redis.hgetall(this.key(tenant));
    const out: Partial<Record<SystemName, string>> = {};
    if (raw['poll:hubspot']) out.hubspot = raw['poll:hubspot'];
    if (raw['poll:salesforce']) out.salesforce = raw['poll:salesforce'];
    return out;
  }

  /** Webhook echoes of our own writes dropped by ingest, per system, since the install began. */
  async droppedEchoes(tenant: string): Promise<Record<SystemName, number>> {
    const [hubspot, salesforce] = await this.#redis.hmget(
      this.key(tenant),
      echoCountField('hubspot'),
      echoCountField('salesforce'),
    );
    return { hubspot: Number(hubspot ?? 0), salesforce: Number(salesforce ?? 0) };
  }
}
