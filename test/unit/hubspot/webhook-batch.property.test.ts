import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import batch from '../../fixtures/hubspot/hubspot-webhook-batch.json' with { type: 'json' };
import docs from '../../fixtures/hubspot/hubspot-webhook-docs-examples.json' with { type: 'json' };
import { parseWebhookBatch, plainWebhookEvent } from '../../../connectors/hubspot/webhook-batch.ts';
import { HubSpotWebhookBatch, HubSpotWebhookEvent } from '../../../connectors/hubspot/schemas.ts';

// The webhook route's fast check must never accept what the schema refuses, nor turn an event into
// anything but what the schema makes of it.

const idLike = fc.oneof(
  fc.nat(),
  fc.integer(),
  fc.double(),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.stringMatching(/^\d{1,20}$/),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
);
const eventLike = fc.record(
  {
    eventId: idLike,
    subscriptionId: idLike,
    portalId: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(0)),
    appId: fc.oneof(fc.integer(), fc.double(), fc.string()),
    occurredAt: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(8.64e15), fc.constant(8.64e15 + 1)),
    subscriptionType: fc.oneof(fc.constantFrom('contact.propertyChange', 'contact.merge', ''), fc.integer()),
    eventType: fc.oneof(fc.constantFrom('contact.creation', ''), fc.integer()),
    attemptNumber: fc.oneof(fc.nat(), fc.integer(), fc.double()),
    objectId: idLike,
    objectTypeId: fc.oneof(fc.constant('0-1'), fc.integer()),
    propertyName: fc.oneof(fc.string(), fc.integer()),
    propertyValue: fc.anything(),
    changeSource: fc.oneof(fc.string(), fc.constant(null)),
    changeFlag: fc.oneof(fc.string(), fc.integer()),
    sourceId: fc.oneof(fc.string(), fc.boolean()),
    primaryObjectId: idLike,
    mergedObjectIds: fc.oneof(fc.array(idLike, { maxLength: 3 }), fc.string()),
    newObjectId: idLike,
    numberOfPropertiesMoved: fc.oneof(fc.integer(), fc.double()),
    somethingNew: fc.anything(),
  },
  { requiredKeys: [] },
);
const validId = fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,20}$/));
const validEvent = fc.record(
  {
    eventId: validId,
    subscriptionId: validId,
    portalId: fc.integer({ min: 1 }),
    appId: fc.integer(),
    occurredAt: fc.nat(),
    subscriptionType: fc.constantFrom('contact.propertyChange', 'contact.merge', 'object.creation'),
    eventType: fc.constantFrom('contact.creation', 'contact.deletion'),
    attemptNumber: fc.nat(),
    objectId: validId,
    objectTypeId: fc.string(),
    propertyName: fc.string(),
    propertyValue: fc.jsonValue(),
    changeSource: fc.string(),
    primaryObjectId: validId,
    mergedObjectIds: fc.array(validId, { maxLength: 3 }),
    newObjectId: validId,
    somethingNew: fc.jsonValue(),
  },
  { requiredKeys: ['eventId', 'portalId', 'occurredAt'] },
);
const anyEvent = fc.oneof(validEvent, eventLike, fc.anything(), fc.dictionary(fc.string(), fc.anything()));

describe('plainWebhookEvent (the route’s fast check) against HubSpotWebhookEvent', () => {
  it('accepts only what the schema accepts, and gives the schema’s result', () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyEvent, (value) => {
        const fast = plainWebhookEvent(value);
        if (fast === undefined) return;
        accepted += 1;
        const parsed = HubSpotWebhookEvent.safeParse(value);
        expect(parsed.success).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { numRuns: 5_000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it('holds for events parsed from JSON text, including __proto__ keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(validEvent, eventLike), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (events, proto) => {
          let text = JSON.stringify(events);
          if (proto) text = text.replace('{', '{"__proto__":{"portalId":1},');
          const json: unknown = JSON.parse(text);
          const fast = parseWebhookBatch(json);
          const schema = HubSpotWebhookBatch.safeParse(json);
          expect(fast.success).toBe(schema.success);
          if (schema.success) expect(fast.data).toEqual(schema.data);
          else expect(fast.error?.issues).toEqual(schema.error.issues);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('takes the fast path for the realistic batch and the documented examples', () => {
    const documented = Object.values(docs).flatMap((example) =>
      typeof example === 'object' && example !== null && 'payload' in example ? [example.payload].flat() : [],
    );
    expect(documented.length).toBeGreaterThan(1);
    for (const event of [...batch, ...documented])
      expect(plainWebhookEvent(event)).toEqual(HubSpotWebhookEvent.parse(event));
  });

  it('refuses what the schema refuses, with the schema’s issues', () => {
    for (const body of [[], {}, [{}], [{ ...batch[0], portalId: -1 }], [{ ...batch[0], eventId: 'x' }]]) {
      const fast = parseWebhookBatch(body);
      expect(fast.success).toBe(false);
      expect(fast.error?.issues).toEqual(HubSpotWebhookBatch.safeParse(body).error?.issues);
    }
  });
});
