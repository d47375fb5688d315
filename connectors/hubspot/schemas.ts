import { z } from 'zod';
import { WEBHOOK_MAX_EVENTS } from './limits.ts';

// https://developers.hubspot.com/docs/api/webhooks#webhook-payloads
// Loose objects: HubSpot adds fields over time and we must not refuse a batch for one we do not know.

const Id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

/** One webhook notification. The legacy docs call `subscriptionType` `eventType`; both are accepted. */
export const HubSpotWebhookEvent = z
  .looseObject({
    eventId: Id,
    subscriptionId: Id.optional(),
    portalId: z.number().int().positive(),
    appId: z.number().int().optional(),
    /** Epoch milliseconds (at most 8.64e15, the last instant a JavaScript Date can hold). */
    occurredAt: z.number().int().nonnegative().max(8.64e15),
    subscriptionType: z.string().min(1).optional(),
    eventType: z.string().min(1).optional(),
    attemptNumber: z.number().int().nonnegative().optional(),
    objectId: Id.optional(),
    objectTypeId: z.string().optional(),
    propertyName: z.string().optional(),
    propertyValue: z.unknown().optional(),
    changeSource: z.string().optional(),
    changeFlag: z.string().optional(),
    sourceId: z.string().optional(),
    primaryObjectId: Id.optional(),
    mergedObjectIds: z.array(Id).optional(),
    newObjectId: Id.optional(),
    numberOfPropertiesMoved: z.number().int().optional(),
  })
  .refine((event) => event.subscriptionType ?? event.eventType, {
    message: 'subscriptionType (or eventType) is required',
    path: ['subscriptionType'],
  })
  .transform(({ eventType, subscriptionType, ...event }) => ({
    ...event,
    subscriptionType: (subscriptionType ?? eventType) as string,
  }));
export type HubSpotWebhookEvent = z.infer<typeof HubSpotWebhookEvent>;

/** A webhook request body: a JSON array of up to 100 events (we allow some slack, never refuse a batch for size alone). */
export const HubSpotWebhookBatch = z
  .array(HubSpotWebhookEvent)
  .min(1)
  .max(WEBHOOK_MAX_EVENTS * 10);

/** A contact as the client hands it on: the SDK's SimplePublicObject reduced to what we use. */
export interface HubSpotContact {
  id: string;
  properties: Record<string, string | null>;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601; the same instant as `lastmodifieddate`. */
  updatedAt: string;
}

/**
 * HubSpot's error body; "treat all fields as optional" (error-handling docs). A field of an unexpected
 * shape is dropped rather than failing the whole body, so a 429 keeps its `policyName` whatever else
 * it carries.
 */
const optionalString = z.string().optional().catch(undefined);
const Context = z.record(z.string(), z.array(z.string())).optional().catch(undefined);
export const HubSpotErrorBody = z.looseObject({
  status: optionalString,
  message: optionalString,
  category: optionalString,
  errorType: optionalString,
  policyName: optionalString,
  correlationId: optionalString,
  errors: z
    .array(z.looseObject({ message: optionalString, code: optionalString, context: Context }))
    .optional()
    .catch(undefined),
  context: Context,
});
export type HubSpotErrorBody = z.infer<typeof HubSpotErrorBody>;

// Response bodies of the CRM object APIs (contacts-v3 OpenAPI: SimplePublicObject, BatchResponse…,
// CollectionResponse…); the dated versions return the same shapes. Loose: HubSpot adds fields.

const PropertyValues = z.record(z.string(), z.string().nullable());

/** SimplePublicObject (and SimplePublicUpsertObject, which adds `new`). */
export const WireObject = z.looseObject({
  id: z.string(),
  properties: PropertyValues,
  createdAt: z.string(),
  updatedAt: z.string(),
  new: z.boolean().optional(),
});
export type WireObject = z.infer<typeof WireObject>;

/** One per-record error of a 207 Multi-Status batch answer (StandardError). */
export const WireBatchError = z.looseObject({
  category: z.string().catch('UNKNOWN'),
  message: z.string().catch(''),
  context: z.record(z.string(), z.array(z.string())).optional().catch(undefined),
});

export const WireBatchAnswer = z.looseObject({
  results: z.array(WireObject),
  errors: z.array(WireBatchError).optional(),
});

export const WirePage = z.looseObject({
  results: z.array(WireObject),
  total: z.number().optional(),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
});
