import type { Redis } from 'ioredis';
import type { SystemName } from '../domain/lead.ts';
import { decodeAuditEntry } from './audit-codec.ts';
import { tenantKey } from './keys.ts';
import type { LeadLink } from './lead-link.ts';
import { decodeLink } from './link-codec.ts';

/** A record whose latest sync attempt to one system failed, as the audit trail tells it. */
export interface FailingRecord {
  tenant: string;
  leadKey: string;
  /** The system the write or read failed in. */
  system: SystemName;
  /** Its id there; null for a create that never happened. */
  recordId: string | null;
  /** The lead's ids in both systems, from the link (so a failed create can be retried from the other side). */
  hubspotId: string | null;
  salesforceId: string | null;
  email: string | null;
  code: string;
  message: string;
  retryable: boolean;
  /** ISO-8601 instant of the failure. */
  at: string;
}

/** A stored link, or null when it does not parse (the failure is still listed, without the ids). */
function parseLink(raw: string, leadKey: string): LeadLink | null {
  const decoded = decodeLink(raw, leadKey);
  return 'link' in decoded ? decoded.link : null;
}

/** Audit entries looked at per lead: enough to see the last attempt of each system. */
const RECENT_ENTRIES = 50;
/** Leads read per round trip. */
const BATCH = 200;

/**
 * The per-record failures as they are stored today: the lead's audit trail ends, for a system, with a
 * `record_error` that no later `patch_written` to that system settled. One reader, so `status`, `retry`,
 * `/status` and the gauges follow when the engine stores parked records elsewhere.
 */
export async function readFailingRecords(
  redis: Redis,
  prefix: string,
  tenant: string,
): Promise<FailingRecord[]> {
  const out: FailingRecord[] = [];
  const linksKey = tenantKey(prefix, tenant, 'links');
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(linksKey, cursor, 'COUNT', BATCH);
    cursor = next;
    const links: Array<{ leadKey: string; link: LeadLink | null }> = [];
    for (let i = 0; i < flat.length; i += 2) {
      links.push({ leadKey: flat[i]!, link: parseLink(flat[i + 1]!, flat[i]!) });
    }
    if (links.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const { leadKey } of links)
      pipeline.lrange(tenantKey(prefix, tenant, 'audit', leadKey), -RECENT_ENTRIES, -1);
    const replies = (await pipeline.exec()) ?? [];
    links.forEach(({ leadKey, link }, index) => {
      const rows = (replies[index]?.[1] as string[] | undefined) ?? [];
      const last = new Map<SystemName, FailingRecord | null>();
      for (const raw of rows) {
        const decoded = decodeAuditEntry(raw);
        if (!('entry' in decoded)) continue;
        const { entry } = decoded;
        // A write, or a link to a record that already existed there, settles the system's failure.
        if (entry.type === 'patch_written' || entry.type === 'record_linked') last.set(entry.system, null);
        if (entry.type === 'record_error') {
          last.set(entry.system, {
            tenant,
            leadKey,
            system: entry.system,
            recordId: entry.recordId,
            hubspotId: link?.hubspot ?? null,
            salesforceId: link ? (link.salesforceContact ?? link.salesforceLead) : null,
            email: link?.email ?? null,
            code: entry.code,
            message: entry.message,
            retryable: entry.retryable,
            at: entry.at,
          });
        }
      }
      for (const failing of last.values()) if (failing) out.push(failing);
    });
  } while (cursor !== '0');
  return out;
}
