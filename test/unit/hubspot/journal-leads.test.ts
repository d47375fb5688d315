import { describe, expect, it } from 'vitest';
import { journalChangeEvents } from '../../../connectors/hubspot/journal-events.ts';
import type { JournalEvent } from '../../../connectors/hubspot/journal-client.ts';
import { planLeadRecords } from '../../../connectors/hubspot/leads-object.ts';
import { HubSpotLeadsObjectConfig } from '../../../src/config/tenant-schema.ts';

const event = (overrides: Partial<JournalEvent>): JournalEvent => ({
  eventId: '1',
  action: 'UPDATE',
  objectTypeId: '0-1',
  objectId: '101',
  portalId: 62515,
  occurredAt: 1_764_500_000_000,
  ...overrides,
});

describe('journal events as change events', () => {
  it('folds one contact\u2019s updates into one event, maps merges, and leaves out other objects and associations', () => {
    const { events, ignored } = journalChangeEvents('acme', [
      event({ eventId: '1', propertyName: 'firstname' }),
      event({ eventId: '2', propertyName: 'lastname', occurredAt: 1_764_500_000_500 }),
      event({
        eventId: '3',
        action: 'MERGE',
        objectId: '102',
        primaryObjectId: '102',
        mergedObjectIds: ['103'],
      }),
      event({ eventId: '4', action: 'ASSOCIATION_ADDED', objectId: '104' }),
      event({ eventId: '5', objectTypeId: '0-2', objectId: '900' }),
      event({ eventId: '6', action: 'GDPR_PRIVACY_DELETION', objectId: '105' }),
    ]);
    expect(ignored).toBe(2);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'updated',
          objectId: '101',
          source: 'journal',
          occurredAt: new Date(1_764_500_000_500).toISOString(),
        }),
        expect.objectContaining({ kind: 'merged', objectId: '102', mergedIds: ['103'] }),
        expect.objectContaining({ kind: 'privacy_deleted', objectId: '105' }),
      ]),
    );
    expect(events).toHaveLength(3);
    // The same file read twice gives the same keys: the ingest queue drops the repeat.
    expect(journalChangeEvents('acme', [event({ eventId: '1' })]).events[0]?.dedupKey).toBe(
      journalChangeEvents('acme', [event({ eventId: '1' })]).events[0]?.dedupKey,
    );
  });
});

describe('Lead records planned from contact writes', () => {
  const config = HubSpotLeadsObjectConfig.parse({ enabled: true });

  it('follows written stages and rejection reasons of contacts written successfully, and nothing else', () => {
    const plans = planLeadRecords(
      [
        { id: '1', fields: { stage: 'mql' } },
        { id: '2', fields: { stage: 'rejected', rejectionReason: 'No budget' } },
        { id: '3', fields: { stage: 'lead' } },
        { id: '4', fields: { score: 70 } },
        { id: '5', fields: { stage: 'sql' } },
        { id: '6', fields: { rejectionReason: null } },
      ],
      [
        { ok: true, id: '1', created: false },
        { ok: true, id: '2', created: false },
        { ok: true, id: '3', created: false },
        { ok: true, id: '4', created: false },
        { ok: false, id: '5', error: new Error('x') as never },
        { ok: true, id: '6', created: false },
      ],
      config,
    );
    expect(plans).toEqual([
      { contactId: '1', stage: 'new-stage-id', reason: undefined, name: 'Contact 1' },
      { contactId: '2', stage: 'unqualified-stage-id', reason: 'No budget', name: 'Contact 2' },
      { contactId: '6', stage: undefined, reason: '', name: 'Contact 6' },
    ]);
  });
});
