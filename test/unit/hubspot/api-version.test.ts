import { describe, expect, it } from 'vitest';
import { hubspotPaths, unsupportedFrom } from '../../../connectors/hubspot/api-version.ts';
import { datedTemplate, versionStatus } from '../../../connectors/hubspot/emulator/api-versions.ts';

describe('HubSpot API versions', () => {
  it('moves the version segment: /crm/v3/objects vs /crm/objects/<date>', () => {
    expect(hubspotPaths('2026-09')).toMatchObject({
      contacts: '/crm/objects/2026-09/contacts',
      contactProperties: '/crm/properties/2026-09/contacts',
      contactPropertyGroups: '/crm/properties/2026-09/contacts/groups',
      leads: '/crm/objects/2026-09/leads',
    });
    expect(hubspotPaths('v3')).toMatchObject({
      contacts: '/crm/v3/objects/contacts',
      contactProperties: '/crm/v3/properties/contacts',
      contactPropertyGroups: '/crm/v3/properties/contacts/groups',
      leads: '/crm/v3/objects/leads',
    });
  });

  it('knows when each version loses support: 18 months after its month, v3 in September 2027', () => {
    expect(unsupportedFrom('2026-09')).toBe('2028-03');
    expect(unsupportedFrom('2026-03')).toBe('2027-09');
    expect(unsupportedFrom('v3')).toBe('2027-09');
  });

  it('has the emulator serve a version from its GA day to 18 months after, and v3 until September 2027', () => {
    const at = (day: string) => Date.parse(`${day}T12:00:00Z`);
    expect(versionStatus('2026-09', at('2026-09-07'))).toBe('unknown');
    expect(versionStatus('2026-09', at('2026-09-08'))).toBe('ok');
    expect(versionStatus('2026-09', at('2028-03-07'))).toBe('ok');
    expect(versionStatus('2026-09', at('2028-03-08'))).toBe('retired');
    expect(versionStatus('2026-05', at('2026-11-30'))).toBe('unknown');
    expect(versionStatus('v3', at('2027-08-31'))).toBe('ok');
    expect(versionStatus('v3', at('2027-09-01'))).toBe('retired');
    expect(datedTemplate('/crm/v3/objects/contacts/:contactId')).toBe(
      '/crm/objects/:apiVersion/contacts/:contactId',
    );
    expect(datedTemplate('/webhooks-journal/journal/v4/earliest')).toBe(
      '/webhooks-journal/journal/:apiVersion/earliest',
    );
  });
});
