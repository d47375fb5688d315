import { describe, expect, it } from 'vitest';
import { HubSpotWebhookBatch } from '../../../connectors/hubspot/schemas.ts';
import { MAX_CHANGED_VALUE_CHARS, toChangeEvents } from '../../../connectors/hubspot/webhook-events.ts';

const change = (eventId: number, objectId: number, extra: Record<string, unknown>) => ({
  eventId,
  portalId: 62515,
  occurredAt: 1_731_427_200_000 + eventId,
  subscriptionType: 'contact.propertyChange',
  objectId,
  ...extra,
});

describe('toChangeEvents: the values of the property changes an event stands for', () => {
  it('carries every [property, value] folded into a contact’s event, duplicates included', () => {
    const { events } = toChangeEvents(
      't',
      HubSpotWebhookBatch.parse([
        change(1, 7, { propertyName: 'leadbridge_score', propertyValue: '60' }),
        change(2, 7, { propertyName: 'leadbridge_stage', propertyValue: 'mql' }),
        change(3, 7, { propertyName: 'leadbridge_score', propertyValue: '61' }),
        change(4, 8, { propertyName: 'jobtitle', propertyValue: 'CTO' }),
      ]),
    );
    const byId = new Map(events.map((event) => [event.objectId, event.changedValues]));
    expect(byId.get('7')).toEqual([
      ['leadbridge_score', '60'],
      ['leadbridge_stage', 'mql'],
      ['leadbridge_score', '61'],
    ]);
    expect(byId.get('8')).toEqual([['jobtitle', 'CTO']]);
  });

  it('carries none when one folded change has no value, a value that is not text, or a long one', () => {
    const { events } = toChangeEvents(
      't',
      HubSpotWebhookBatch.parse([
        change(1, 7, { propertyName: 'leadbridge_score', propertyValue: '60' }),
        change(2, 7, { propertyName: 'leadbridge_stage' }),
        change(3, 8, { propertyName: 'leadbridge_score', propertyValue: 60 }),
        change(4, 9, { propertyName: 'leadbridge_score', propertyValue: '1' }),
        change(6, 10, { propertyName: 'notes', propertyValue: 'x'.repeat(MAX_CHANGED_VALUE_CHARS + 1) }),
        change(7, 11, { propertyName: 'notes', propertyValue: 'x'.repeat(MAX_CHANGED_VALUE_CHARS) }),
        { ...change(5, 9, {}), subscriptionType: 'contact.creation' },
      ]),
    );
    const byId = new Map(events.map((event) => [`${event.kind}:${event.objectId}`, event.changedValues]));
    expect(byId.get('updated:7')).toBeUndefined();
    expect(byId.get('updated:8')).toBeUndefined();
    expect(byId.get('updated:9')).toEqual([['leadbridge_score', '1']]);
    // A long text is not carried on (the job is kept 25 hours); one at the limit is.
    expect(byId.get('updated:10')).toBeUndefined();
    expect(byId.get('updated:11')).toEqual([['notes', 'x'.repeat(MAX_CHANGED_VALUE_CHARS)]]);
    expect(byId.has('created:9')).toBe(true);
    expect(byId.get('created:9')).toBeUndefined();
  });
});
