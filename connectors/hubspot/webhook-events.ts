import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { valueHash } from '../../src/domain/value-hash.ts';
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
 * True when an app wrote the change, so that it may be the echo of our own write: changeSource
 * `INTEGRATION` with sourceId the id of the app this notification is for (ours), or `API`. Everything
 * else (a person in HubSpot, `CRM_UI`; a form; an import; another app) is never an echo, even when it
 * sets the value we just wrote: a person's A->B->A must reach the other system.
 * https://developers.hubspot.com/docs/api/webhooks#webhook-payloads (changeSource, sourceId)
 */
function writtenByOurApp(event: HubSpotWebhookEvent): boolean {
  if (event.changeSource === 'API') return true;
  return (
    event.changeSource === 'INTEGRATION' &&
    event.appId !== undefined &&
    event.sourceId === String(event.appId)
  );
}

/**
 * The hash of `[property, new value]` of a property change that names both (a string value) and that an
 * app wrote; else null. Only the hash goes on (src/domain/value-hash.ts): an ingest job is kept 25 hours.
 */
function changedValueHash(event: HubSpotWebhookEvent): string | null {
  const { propertyName, propertyValue } = event;
  return propertyName && typeof propertyValue === 'string' && writtenByOurApp(event)
    ? valueHash(propertyName, propertyValue)
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
  // Per contact, the value hashes of its folded changes; null once one came without a value or not from an app.
  const hashes = new Map<string, string[] | null>();
  let ignored = 0;
  let collapsed = 0;
  for (const event of notifications) {
    const kind = kindOf(event);
    if (!kind || event.objectId === undefined) {
      ignored++;
      continue;
    }
    if (kind === 'updated') {
      const seen = hashes.get(event.objectId);
      const hash = changedValueHash(event);
      if (hash === null) hashes.set(event.objectId, null);
      else if (seen === undefined) hashes.set(event.objectId, [hash]);
      else seen?.push(hash);
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
    const changed = hashes.get(event.objectId as string);
    events.push({
      tenant,
      system: 'hubspot',
      kind: 'updated',
      objectId: event.objectId as string,
      occurredAt: new Date(event.occurredAt).toISOString(),
      source: 'webhook',
      dedupKey: dedupKey(event),
      ...(changed ? { changedValueHashes: changed } : {}),
    });
  }
  return { events, ignored, collapsed };
}
