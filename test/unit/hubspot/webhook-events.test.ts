import { describe, expect, it } from 'vitest';
import batch from '../../fixtures/hubspot/hubspot-webhook-batch.json' with { type: 'json' };
import docs from '../../fixtures/hubspot/hubspot-webhook-docs-examples.json' with { type: 'json' };
import { HubSpotWebhookBatch } from '../../../connectors/hubspot/schemas.ts';
import { dedupKey, toChangeEvents } from '../../../connectors/hubspot/webhook-events.ts';

describe('webhook events to change events', () => {
  it('translates creation, property change, merge and deletion', () => {
    const { events, ignored } = toChangeEvents('acme', HubSpotWebhookBatch.parse(batch));
    expect(ignored).toBe(0);
    expect(events.map((event) => [event.kind, event.objectId])).toEqual([
      ['created', '51234567801'],
      ['merged', '51234567803'],
      ['deleted', '51234567805'],
      ['updated', '51234567801'],
      ['updated', '51234567802'],
    ]);
    expect(events.find((event) => event.kind === 'merged')).toMatchObject({
      mergedIds: ['51234567804'],
      source: 'webhook',
      system: 'hubspot',
      tenant: 'acme',
    });
    expect(events[0]).toMatchObject({
      occurredAt: '2024-11-12T16:00:00.000Z',
      dedupKey: '62515/contact.creation/51234567801/1796392840/1731427200000',
    });
  });

  it('accepts the legacy eventType key and names the survivor of a merge whose new id differs', () => {
    const parsed = HubSpotWebhookBatch.parse([
      ...docs.webhooks_guide_example.payload,
      {
        eventId: 9,
        portalId: 33,
        occurredAt: 5,
        subscriptionType: 'contact.merge',
        objectId: 10,
        primaryObjectId: 10,
        mergedObjectIds: [11],
        newObjectId: 12,
      },
    ]);
    const { events } = toChangeEvents('t', parsed);
    expect(events.map((event) => event.kind).sort()).toEqual(['created', 'merged', 'updated']);
    expect(events.find((event) => event.kind === 'merged')).toMatchObject({
      objectId: '12',
      mergedIds: ['11', '10'],
    });
  });

  it('collapses a burst of property changes to one event per contact, keyed by the newest', () => {
    const burst = Array.from({ length: 20 }, (_, i) => ({
      eventId: 100 + i,
      portalId: 1,
      occurredAt: 1_000 + i,
      subscriptionType: 'contact.propertyChange',
      objectId: 7,
      propertyName: `p${i}`,
      propertyValue: 'x',
      attemptNumber: 0,
    }));
    const { events, collapsed } = toChangeEvents('t', HubSpotWebhookBatch.parse(burst));
    expect(events).toHaveLength(1);
    expect(collapsed).toBe(19);
    expect(events[0]?.dedupKey).toBe('1/contact.propertyChange/7/119/1019');
  });

  it('collapses a burst the same way whatever order a redelivery brings it in, even with equal occurredAt', () => {
    const burst = [5, 3, 9].map((eventId) => ({
      eventId,
      portalId: 1,
      occurredAt: 2_000,
      subscriptionType: 'contact.propertyChange',
      objectId: 7,
      propertyName: `p${eventId}`,
      propertyValue: 'x',
    }));
    const keys = [burst, [...burst].reverse(), [burst[1], burst[2], burst[0]]].map(
      (order) => toChangeEvents('t', HubSpotWebhookBatch.parse(order)).events[0]?.dedupKey,
    );
    expect(new Set(keys).size).toBe(1);
  });

  it('keys redeliveries the same (attemptNumber left out) and different events apart even with one eventId', () => {
    const [first] = HubSpotWebhookBatch.parse([batch[1]]);
    const [retry] = HubSpotWebhookBatch.parse([{ ...batch[1], attemptNumber: 3 }]);
    const [other] = HubSpotWebhookBatch.parse([{ ...batch[1], objectId: 99 }]);
    expect(dedupKey(retry!)).toBe(dedupKey(first!));
    expect(dedupKey(other!)).not.toBe(dedupKey(first!));
  });

  it('acknowledges subscription types it does not handle, and maps generic object events for contacts only', () => {
    const parsed = HubSpotWebhookBatch.parse([
      { eventId: 1, portalId: 1, occurredAt: 1, subscriptionType: 'contact.associationChange', objectId: 5 },
      { eventId: 2, portalId: 1, occurredAt: 1, subscriptionType: 'deal.creation', objectId: 6 },
      {
        eventId: 3,
        portalId: 1,
        occurredAt: 1,
        subscriptionType: 'object.creation',
        objectTypeId: '0-1',
        objectId: 7,
      },
      {
        eventId: 4,
        portalId: 1,
        occurredAt: 1,
        subscriptionType: 'object.creation',
        objectTypeId: '0-3',
        objectId: 8,
      },
      { eventId: 5, portalId: 1, occurredAt: 1, subscriptionType: 'contact.privacyDeletion', objectId: 9 },
      { eventId: 6, portalId: 1, occurredAt: 1, subscriptionType: 'contact.restore', objectId: 10 },
    ]);
    const { events, ignored } = toChangeEvents('t', parsed);
    expect(ignored).toBe(3);
    expect(events.map((event) => `${event.kind}:${event.objectId}`)).toEqual([
      'created:7',
      'privacy_deleted:9',
      'restored:10',
    ]);
  });
});
