import { describe, expect, it } from 'vitest';
import { chooseExisting, type ExistingRecord } from '../../../src/domain/existing-match.ts';

const lead = (id: string, fields: Partial<ExistingRecord> = {}): ExistingRecord => ({
  objectType: 'Lead',
  id,
  converted: false,
  convertedContactId: null,
  modifiedAt: '2026-03-01T10:00:00.000Z',
  ...fields,
});
const contact = (id: string, fields: Partial<ExistingRecord> = {}): ExistingRecord => ({
  ...lead(id, fields),
  objectType: 'Contact',
});

describe('chooseExisting: what to do instead of creating a Lead for an email Salesforce already has', () => {
  it('nothing found: create', () => {
    expect(chooseExisting([])).toEqual({ kind: 'none' });
  });

  it('one unconverted Lead: link it', () => {
    expect(chooseExisting([lead('00Q1')])).toEqual({
      kind: 'link',
      leadId: '00Q1',
      contactId: null,
      duplicates: [],
    });
  });

  it('a converted Lead: link it and its Contact, whose own row is not a Contact of its own', () => {
    const converted = lead('00Q1', { converted: true, convertedContactId: '0031' });
    expect(chooseExisting([contact('0031'), converted])).toEqual({
      kind: 'link',
      leadId: '00Q1',
      contactId: '0031',
      duplicates: [],
    });
  });

  it('several Leads: the duplicate rule picks one (converted, then newest), the others are duplicates', () => {
    const older = lead('00Q1', { modifiedAt: '2026-03-01T10:00:00.000Z' });
    const newer = lead('00Q2', { modifiedAt: '2026-03-02T10:00:00.000Z' });
    const converted = lead('00Q3', {
      converted: true,
      convertedContactId: '0033',
      modifiedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(chooseExisting([older, newer])).toEqual({
      kind: 'link',
      leadId: '00Q2',
      contactId: null,
      duplicates: ['00Q1'],
    });
    expect(chooseExisting([newer, older, converted])).toMatchObject({
      leadId: '00Q3',
      contactId: '0033',
      duplicates: ['00Q2', '00Q1'],
    });
    // Whatever order the API returns them in.
    expect(chooseExisting([converted, older, newer])).toEqual(chooseExisting([newer, converted, older]));
  });

  it('only Contacts: no link, and no create (every Contact named, lowest id first)', () => {
    expect(chooseExisting([contact('0039'), contact('0031')])).toEqual({
      kind: 'contact_only',
      contactIds: ['0031', '0039'],
    });
  });

  it('a record another lead holds: a conflict, even when a free Lead shares the email', () => {
    expect(chooseExisting([lead('00Q1'), lead('00Q2', { linkedTo: 'lead-b' })])).toEqual({
      kind: 'linked_elsewhere',
      id: '00Q2',
      leadKey: 'lead-b',
    });
  });
});
