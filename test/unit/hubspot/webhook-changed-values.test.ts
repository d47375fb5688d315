import { describe, expect, it } from 'vitest';
import { HubSpotWebhookBatch } from '../../../connectors/hubspot/schemas.ts';
import { toChangeEvents } from '../../../connectors/hubspot/webhook-events.ts';
import { valueHash } from '../../../src/domain/value-hash.ts';

const APP_ID = 54321;
/** What HubSpot sends for a write by our app: changeSource INTEGRATION, sourceId our app id. */
const ours = { appId: APP_ID, changeSource: 'INTEGRATION', sourceId: String(APP_ID) };

const change = (eventId: number, objectId: number, extra: Record<string, unknown>) => ({
  eventId,
  portalId: 62515,
  occurredAt: 1_731_427_200_000 + eventId,
  subscriptionType: 'contact.propertyChange',
  objectId,
  ...ours,
  ...extra,
});

describe('toChangeEvents: the value hashes of the property changes an event stands for', () => {
  it('carries the hash of every [property, value] folded into a contact’s event, duplicates included', () => {
    const { events } = toChangeEvents(
      't',
      HubSpotWebhookBatch.parse([
        change(1, 7, { propertyName: 'leadbridge_score', propertyValue: '60' }),
        change(2, 7, { propertyName: 'leadbridge_stage', propertyValue: 'mql' }),
        change(3, 7, { propertyName: 'leadbridge_score', propertyValue: '61' }),
        change(4, 8, { propertyName: 'email', propertyValue: 'ada@example.com', changeSource: 'API' }),
        change(5, 9, { propertyName: 'notes', propertyValue: 'x'.repeat(5_000) }),
      ]),
    );
    const byId = new Map(events.map((event) => [event.objectId, event.changedValueHashes]));
    expect(byId.get('7')).toEqual([
      valueHash('leadbridge_score', '60'),
      valueHash('leadbridge_stage', 'mql'),
      valueHash('leadbridge_score', '61'),
    ]);
    expect(byId.get('8')).toEqual([valueHash('email', 'ada@example.com')]);
    // A long text costs 16 characters like any other value.
    expect(byId.get('9')).toEqual([valueHash('notes', 'x'.repeat(5_000))]);
    // No value reaches the job: an ingest job is kept 25 hours and shown in /admin/queues.
    const job = JSON.stringify(events);
    for (const value of ['ada@example.com', 'mql', 'xxxx']) expect(job).not.toContain(value);
  });

  it('carries none when one folded change has no value or a value that is not text', () => {
    const { events } = toChangeEvents(
      't',
      HubSpotWebhookBatch.parse([
        change(1, 7, { propertyName: 'leadbridge_score', propertyValue: '60' }),
        change(2, 7, { propertyName: 'leadbridge_stage' }),
        change(3, 8, { propertyName: 'leadbridge_score', propertyValue: 60 }),
        change(4, 9, { propertyName: 'leadbridge_score', propertyValue: '1' }),
        { ...change(5, 9, {}), subscriptionType: 'contact.creation' },
      ]),
    );
    const byId = new Map(
      events.map((event) => [`${event.kind}:${event.objectId}`, event.changedValueHashes]),
    );
    expect(byId.get('updated:7')).toBeUndefined();
    expect(byId.get('updated:8')).toBeUndefined();
    expect(byId.get('updated:9')).toEqual([valueHash('leadbridge_score', '1')]);
    expect(byId.has('created:9')).toBe(true);
    expect(byId.get('created:9')).toBeUndefined();
  });

  it('carries none when a folded change was not written by our app: a person, a form, an import, another app', () => {
    const others = [
      { changeSource: 'CRM_UI', sourceId: 'userId:882761034' },
      { changeSource: 'FORM', sourceId: 'FORM' },
      { changeSource: 'IMPORT' },
      { changeSource: 'INTEGRATION', sourceId: '99999' },
      { changeSource: 'INTEGRATION', sourceId: undefined },
      { changeSource: undefined, sourceId: undefined },
    ];
    const { events } = toChangeEvents(
      't',
      HubSpotWebhookBatch.parse(
        others.flatMap((source, i) => [
          change(2 * i, 100 + i, { propertyName: 'leadbridge_score', propertyValue: '60' }),
          change(2 * i + 1, 100 + i, { propertyName: 'leadbridge_score', propertyValue: '60', ...source }),
        ]),
      ),
    );
    expect(events).toHaveLength(others.length);
    for (const event of events) expect(event.changedValueHashes).toBeUndefined();
  });
});

describe('valueHash', () => {
  it('is 16 hex of SHA-256 over property, NUL, value: the property is part of the pair', () => {
    expect(valueHash('email', 'a@b.c')).toMatch(/^[0-9a-f]{16}$/);
    expect(valueHash('leadbridge_score', '60')).not.toBe(valueHash('leadbridge_stage', '60'));
    expect(valueHash('ab', 'c')).not.toBe(valueHash('a', 'bc'));
  });
});
