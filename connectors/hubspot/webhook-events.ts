import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { HubSpotWebhookEvent } from './schemas.ts';

// https://developers.hubspot.com/docs/api/webhooks#webhook-payloads

type Kind = ChangeEvent['kind'];

/** Contact subscription types and what they mean to the engine. Anything else is acknowledged and ignored. */
const CONTACT_KINDS: Record<string, Kind> = {
  'contact.creation': 'created',
  'contact.propertyChange': 'updated',
  'contact.deletion': 'deleted',
  'contact.merge': 'merged',
  'contact.restore': 'restored',
  'contact.privacyDeletion': 'privacy_deleted',
};

/** The generic `object.*` subscriptions of the newer developer platform carry `objectTypeId`; 0-1 is contacts. */
const CONTACTS_OBJECT_TYPE = '0-1';

export function kindOf(event: HubSpotWebhookEvent): Kind | undefined {
  const type = event.subscriptionType;
  if (type.startsWith('object.')) {
    if (event.objectTypeId !== CONTACTS_OBJECT_TYPE) return undefined;
    return CONTACT_KINDS[`contact.${type.slice('object.'.length)}`];
  }
  return CONTACT_KINDS[type];
}

/**
 * Identity of one notification, the same on every redelivery: eventId alone is not unique, and
 * attemptNumber changes on each retry, so it is left out.
 */
export function dedupKey(event: HubSpotWebhookEvent): string {
  return [event.portalId, event.subscriptionType, event.objectId ?? '', event.eventId, event.occurredAt].join(
    '/',
  );
}

/**
 * Order of the notifications of one burst: by occurredAt, then by identity, so that a redelivery in
 * another order keeps the same survivor, hence the same job id.
 */
function isNewer(event: HubSpotWebhookEvent, than: HubSpotWebhookEvent): boolean {
  if (event.occurredAt !== than.occurredAt) return event.occurredAt > than.occurredAt;
  return dedupKey(event) > dedupKey(than);
}

/**
 * Longest property value an event carries on to ingest, in characters. The values LeadBridge writes
 * (scores, stages, names, emails) are short; a long text is left out (its event is then never taken for
 * an echo) so that an ingest job, kept 25 hours for deduplication, never holds a large value.
 */
export const MAX_CHANGED_VALUE_CHARS = 256;

/** `[property, new value]` of a property change that names both (a string value, not too long); else null. */
function changedValue(event: HubSpotWebhookEvent): [string, string] | null {
  const { propertyName, propertyValue } = event;
  return propertyName && typeof propertyValue === 'string' && propertyValue.length <= MAX_CHANGED_VALUE_CHARS
    ? [propertyName, propertyValue]
    : null;
}

export interface TranslatedBatch {
  events: ChangeEvent[];
  /** Notifications acknowledged without work: types we do not subscribe to, or without an object. */
  ignored: number;
  /** Property changes folded into another event for the same contact in this batch. */
  collapsed: number;
}

/**
 * Turns one tenant's notifications into change events. A burst of property changes to one contact
 * becomes one `updated` event (reconcile reads the whole record anyway), keyed by the newest of them.
 * A merge names the surviving record (`newObjectId`, else `primaryObjectId`) and every id folded into it.
 */
export function toChangeEvents(tenant: string, notifications: HubSpotWebhookEvent[]): TranslatedBatch {
  const events: ChangeEvent[] = [];
  const updates = new Map<string, HubSpotWebhookEvent>();
  // Per contact, every [property, value] of its folded changes; null once one came without a value.
  const values = new Map<string, Array<[string, string]> | null>();
  let ignored = 0;
  let collapsed = 0;
  for (const event of notifications) {
    const kind = kindOf(event);
    if (!kind || event.objectId === undefined) {
      ignored++;
      continue;
    }
    if (kind === 'updated') {
      const seen = values.get(event.objectId);
      const pair = changedValue(event);
      if (pair === null) values.set(event.objectId, null);
      else if (seen === undefined) values.set(event.objectId, [pair]);
      else seen?.push(pair);
      const previous = updates.get(event.objectId);
      if (previous) {
        collapsed++;
        if (!isNewer(event, previous)) continue;
      }
      updates.set(event.objectId, event);
      continue;
    }
    const base = {
      tenant,
      system: 'hubspot' as const,
      occurredAt: new Date(event.occurredAt).toISOString(),
      source: 'webhook' as const,
      dedupKey: dedupKey(event),
    };
    if (kind === 'merged') {
      const survivor = event.newObjectId ?? event.primaryObjectId ?? event.objectId;
      const folded = new Set([
        ...(event.mergedObjectIds ?? []),
        event.primaryObjectId ?? survivor,
        event.objectId,
      ]);
      folded.delete(survivor);
      events.push({ ...base, kind, objectId: survivor, mergedIds: [...folded] });
    } else {
      events.push({ ...base, kind, objectId: event.objectId });
    }
  }
  for (const event of updates.values()) {
    const changed = values.get(event.objectId as string);
    events.push({
      tenant,
      system: 'hubspot',
      kind: 'updated',
      objectId: event.objectId as string,
      occurredAt: new Date(event.occurredAt).toISOString(),
      source: 'webhook',
      dedupKey: dedupKey(event),
      ...(changed ? { changedValues: changed } : {}),
    });
  }
  return { events, ignored, collapsed };
}
