import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUEUE_NAMES, queuePrefix, type QueueRole } from '../../../jobs/queue-names.ts';
import { hashTag, shardKey, tenantKey } from '../../../src/store/keys.ts';

const ROLES = Object.keys(QUEUE_NAMES) as QueueRole[];
/** BullMQ's key of a queue: `<prefix>:<name>:<suffix>` (bullmq QueueKeys.toKey). */
const bullKey = (prefix: string, name: string, suffix: string) => `${prefix}:${name}:${suffix}`;
/**
 * What Redis Cluster hashes of a key: the text between the first `{` and the next `}` when it is not
 * empty, otherwise the whole key (cluster spec, "Hash tags"). Equal results, equal slots.
 */
function hashed(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}
const tenantId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);

describe('queuePrefix and hashTag: one Redis Cluster slot per queue and per tenant', () => {
  it('puts every key of a shared queue in one slot, whatever the base', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9:-]{0,20}$/), fc.constantFrom(...ROLES), (base, role) => {
        const prefix = queuePrefix(base, role);
        const slots = ['wait', 'active', 'delayed', 'meta', 'events', 'id', '42', 'de:x'].map((suffix) =>
          hashed(bullKey(prefix, QUEUE_NAMES[role], suffix)),
        );
        expect(new Set(slots).size).toBe(1);
      }),
    );
  });

  it("puts a tenant's queue in the slot of the tenant's state keys", () => {
    fc.assert(
      fc.property(tenantId, fc.constantFrom(...ROLES), (tenant, role) => {
        const queueKey = bullKey(queuePrefix('leadbridge', role, { tenant }), QUEUE_NAMES[role], 'wait');
        expect(hashed(queueKey)).toBe(hashed(tenantKey('leadbridge:store', tenant, 'pending')));
      }),
    );
  });

  it('gives the shared queues different tags, so a cluster can place them on different nodes', () => {
    const tags = ROLES.map((role) => queuePrefix('leadbridge', role));
    expect(new Set(tags).size).toBe(ROLES.length);
    expect(new Set(tags.map((tag) => hashed(`${tag}:x`))).size).toBe(ROLES.length);
  });

  it('tags a shard of a tenant apart from the tenant, and refuses a base that carries a tag of its own', () => {
    expect(hashTag('acme')).toBe('{acme}');
    expect(hashTag('acme', 3)).toBe('{acme.3}');
    expect(queuePrefix('leadbridge', 'reconcile', { tenant: 'acme', shard: 3 })).toBe('leadbridge:{acme.3}');
    expect(hashed(shardKey('leadbridge:store', 'acme', 3, 'pending'))).toBe(
      hashed(
        `${queuePrefix('leadbridge', 'reconcile', { tenant: 'acme', shard: 3 })}:leadbridge-reconcile:wait`,
      ),
    );
    expect(hashed(shardKey('leadbridge:store', 'acme', 3, 'pending'))).not.toBe(
      hashed(tenantKey('leadbridge:store', 'acme', 'pending')),
    );
    expect(() => queuePrefix('{leadbridge}', 'ingest')).toThrow(/must not contain \{ or \}/);
    expect(() => tenantKey('lb:{x}', 'acme', 'links')).toThrow(/must not contain/);
    expect(() => hashTag('Acme Corp')).toThrow(/invalid tenant id/);
  });
});
