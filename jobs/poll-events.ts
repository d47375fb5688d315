import type { PollPage, SystemRecord } from '../connectors/types.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { SystemName } from '../src/domain/lead.ts';

/** The Salesforce extras of a polled record (connectors/salesforce/records.ts), when present. */
interface SalesforceExtras {
  objectType?: 'Lead' | 'Contact';
  leadId?: string;
  modifiedByUs?: boolean;
}

export interface PageEvents {
  events: ChangeEvent[];
  /** Records skipped because the integration user made the last change (our own writes echoing back). */
  echoes: number;
}

/**
 * Pure: the change events of one poll page. A record version is one change (dedupKey `id@modifiedAt`),
 * so polling the overlap window again adds nothing the ingest queue has not seen. Salesforce records we
 * wrote ourselves are dropped: reconcile produced them, and re-reading them would only cost API calls.
 * A converted Lead comes back as its Contact; the event names the Lead id, which the link table always
 * resolves (before and after the conversion is recorded), and reading it returns the Contact.
 */
export function pageEvents(tenant: string, system: SystemName, page: PollPage, now: Date): PageEvents {
  const events: ChangeEvent[] = [];
  let echoes = 0;
  for (const record of page.records as Array<SystemRecord & SalesforceExtras>) {
    if (record.modifiedByUs) {
      echoes += 1;
      continue;
    }
    const converted = record.objectType === 'Contact' && record.leadId !== undefined;
    // A survivor listing merged ids is a merge event (link maintenance re-points them; a repeat is a no-op).
    const merged = !converted && record.mergedIds !== undefined && record.mergedIds.length > 0;
    events.push({
      tenant,
      system,
      objectId: converted && record.leadId ? record.leadId : record.id,
      occurredAt: record.modifiedAt,
      kind: converted ? 'converted' : merged ? 'merged' : 'updated',
      ...(merged ? { mergedIds: record.mergedIds } : {}),
      source: 'poll',
      dedupKey: `${record.id}@${record.modifiedAt}`,
    });
  }
  for (const { winnerId, loserIds } of page.merges ?? []) {
    events.push({
      tenant,
      system,
      objectId: winnerId,
      occurredAt: now.toISOString(),
      kind: 'merged',
      mergedIds: loserIds,
      source: 'poll',
      dedupKey: `${winnerId}@merged:${[...loserIds].sort().join(',')}`,
    });
  }
  for (const id of page.deletedIds) {
    events.push({
      tenant,
      system,
      objectId: id,
      occurredAt: now.toISOString(),
      kind: 'deleted',
      source: 'poll',
      dedupKey: `${id}@deleted`,
    });
  }
  return { events, echoes };
}
