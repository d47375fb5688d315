import type { Redis } from 'ioredis';
import type { DuplicateRecord, ParkedRecord, TenantIdentityIssues } from '../domain/identity-issues.ts';
import type { SystemName } from '../domain/lead.ts';
import { tenantKey } from './keys.ts';
import type { LeadLink } from './lead-link.ts';
import { decodeLink } from './link-codec.ts';
import { ParkedWrites } from './parked-writes.ts';

/** Links scanned per round trip. */
const BATCH = 200;

function parseLink(raw: string | null | undefined, leadKey: string): LeadLink | null {
  if (!raw) return null;
  const decoded = decodeLink(raw, leadKey);
  return 'link' in decoded ? decoded.link : null;
}

/** Pure: the duplicates a link records (history entries `duplicate` whose id holds no slot), newest kept. */
export function duplicatesOf(tenant: string, link: LeadLink): DuplicateRecord[] {
  const held = new Set([link.hubspot, link.salesforceLead, link.salesforceContact]);
  const byId = new Map<string, DuplicateRecord>();
  for (const change of link.history) {
    if (change.change !== 'duplicate' || held.has(change.id)) continue;
    const system: SystemName = change.side === 'hubspot' ? 'hubspot' : 'salesforce';
    const linkedTo = change.into ?? null;
    byId.set(change.id, {
      tenant,
      leadKey: link.leadKey,
      system,
      id: change.id,
      linkedTo,
      reason: `same person as ${linkedTo ?? 'the linked record'}: never written to`,
      at: change.at,
    });
  }
  return [...byId.values()];
}

/** Every duplicate the tenant's link table records (one HSCAN pass). */
export async function readDuplicates(
  redis: Redis,
  prefix: string,
  tenant: string,
): Promise<DuplicateRecord[]> {
  const out: DuplicateRecord[] = [];
  const key = tenantKey(prefix, tenant, 'links');
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', BATCH);
    cursor = next;
    for (let i = 1; i < flat.length; i += 2) {
      const link = parseLink(flat[i], flat[i - 1]!);
      if (link) out.push(...duplicatesOf(tenant, link));
    }
  } while (cursor !== '0');
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

/** Every parked write of the tenant, with the record id its lead's link gives. */
export async function readParkedRecords(
  redis: Redis,
  prefix: string,
  tenant: string,
): Promise<ParkedRecord[]> {
  const parked = await new ParkedWrites(redis, { prefix }).list(tenant);
  if (parked.length === 0) return [];
  const entries = parked.map(({ field, parked: write }) => {
    const bar = field.lastIndexOf('|');
    const system: SystemName = field.slice(bar + 1) === 'hubspot' ? 'hubspot' : 'salesforce';
    return { leadKey: field.slice(0, bar), system, write };
  });
  const raw = await redis.hmget(tenantKey(prefix, tenant, 'links'), ...entries.map((entry) => entry.leadKey));
  return entries
    .map(({ leadKey, system, write }, index) => {
      const link = parseLink(raw[index], leadKey);
      const recordId = link
        ? system === 'hubspot'
          ? link.hubspot
          : (link.salesforceContact ?? link.salesforceLead)
        : null;
      return { tenant, leadKey, system, recordId, code: write.code, message: write.message, at: write.at };
    })
    .sort((a, b) => a.at.localeCompare(b.at) || a.leadKey.localeCompare(b.leadKey));
}

/** Duplicates and parked writes of one tenant, as `status` and the report list them. */
export async function readIdentityIssues(
  redis: Redis,
  prefix: string,
  tenant: string,
): Promise<TenantIdentityIssues> {
  const [duplicates, parked] = await Promise.all([
    readDuplicates(redis, prefix, tenant),
    readParkedRecords(redis, prefix, tenant),
  ]);
  return {
    tenant,
    duplicates: { count: duplicates.length, records: duplicates },
    parked: { count: parked.length, records: parked },
  };
}
