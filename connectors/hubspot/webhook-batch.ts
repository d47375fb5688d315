import type { z } from 'zod';
import { WEBHOOK_MAX_EVENTS } from './limits.ts';
import { HubSpotWebhookBatch, type HubSpotWebhookEvent } from './schemas.ts';

// The hot path of `POST /webhooks/hubspot`: every delivery is parsed against HubSpotWebhookBatch. Most are
// plain events whose fields all have their simplest form, and those are checked here field by field, several
// times faster than zod walks the schema. Anything else (a missing or odd field, an id that is not a plain
// number, a batch too short or too long) goes to the schema itself, so what is refused and the reasons
// given are the schema's. A property test holds this to the schema: whatever it accepts, the schema accepts
// with the same result.

type Parsed = z.ZodSafeParseResult<HubSpotWebhookEvent[]>;

/** Ids the schema's `Id` takes: a non-negative safe integer, or a string of digits. */
const DIGITS = /^\d+$/;
const isId = (value: unknown): value is number | string =>
  typeof value === 'number'
    ? Number.isSafeInteger(value) && value >= 0
    : typeof value === 'string' && DIGITS.test(value);
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

const STRING_FIELDS = ['objectTypeId', 'propertyName', 'changeSource', 'changeFlag', 'sourceId'] as const;
const OPTIONAL_ID_FIELDS = ['subscriptionId', 'objectId', 'primaryObjectId', 'newObjectId'] as const;

/** The schema's output for a plain event, or undefined when the event is not plain (the schema decides). */
export function plainWebhookEvent(value: unknown): HubSpotWebhookEvent | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const event = value as Record<string, unknown>;
  const { eventType, subscriptionType } = event;
  if (!optional(subscriptionType, isNonEmptyString) || !optional(eventType, isNonEmptyString))
    return undefined;
  if (subscriptionType === undefined && eventType === undefined) return undefined;
  if (!isId(event.eventId)) return undefined;
  if (!isInt(event.portalId) || event.portalId <= 0) return undefined;
  if (!isInt(event.occurredAt) || event.occurredAt < 0 || event.occurredAt > 8.64e15) return undefined;
  if (!optional(event.appId, isInt) || !optional(event.numberOfPropertiesMoved, isInt)) return undefined;
  if (!optional(event.attemptNumber, (n) => isInt(n) && n >= 0)) return undefined;
  for (const field of STRING_FIELDS) if (!optional(event[field], isString)) return undefined;
  for (const field of OPTIONAL_ID_FIELDS) if (!optional(event[field], isId)) return undefined;
  const merged = event.mergedObjectIds;
  if (merged !== undefined && !(Array.isArray(merged) && merged.every(isId))) return undefined;

  const out: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    if (key === '__proto__') return undefined;
    if (key !== 'eventType' && event[key] !== undefined) out[key] = event[key];
  }
  out.eventId = String(event.eventId);
  for (const field of OPTIONAL_ID_FIELDS) if (event[field] !== undefined) out[field] = String(event[field]);
  if (merged !== undefined) out.mergedObjectIds = (merged as Array<number | string>).map(String);
  out.subscriptionType = subscriptionType ?? eventType;
  return out as HubSpotWebhookEvent;
}

/** `HubSpotWebhookBatch.safeParse(json)`, with plain events checked without walking the schema. */
export function parseWebhookBatch(json: unknown): Parsed {
  if (Array.isArray(json) && json.length >= 1 && json.length <= WEBHOOK_MAX_EVENTS * 10) {
    const events: HubSpotWebhookEvent[] = [];
    for (const item of json) {
      const event = plainWebhookEvent(item);
      if (!event) return HubSpotWebhookBatch.safeParse(json);
      events.push(event);
    }
    return { success: true, data: events };
  }
  return HubSpotWebhookBatch.safeParse(json);
}
