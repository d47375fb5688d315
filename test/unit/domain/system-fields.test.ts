import { describe, expect, it } from 'vitest';
import { FieldMapping } from '../../../src/domain/ownership-schema.ts';
import {
  COMPUTED_FIELDS,
  computedFieldMappings,
  systemFields,
  toCanonicalLead,
  toSystemProperties,
} from '../../../src/domain/system-fields.ts';

const fields = [
  { canonical: 'email', hubspot: 'email', salesforce: 'Email' },
  {
    canonical: 'numberOfEmployees',
    hubspot: 'numemployees',
    salesforce: 'NumberOfEmployees',
    type: 'number',
  },
  { canonical: 'pageViews', hubspot: 'hs_analytics_num_page_views', type: 'number', ownership: 'hubspot' },
  { canonical: 'lastSeenAt', hubspot: 'hs_last_sales_activity_timestamp', type: 'datetime' },
  { canonical: 'stage', hubspot: 'leadbridge_stage', salesforce: 'LeadBridge_Stage__c' },
].map((mapping) => FieldMapping.parse(mapping));

describe('system field mappings', () => {
  it('lists the fields a system carries, with their names there', () => {
    expect(systemFields(fields, 'salesforce').map((f) => f.property)).toEqual([
      'Email',
      'NumberOfEmployees',
      'LeadBridge_Stage__c',
    ]);
    expect(systemFields(fields, 'hubspot')[2]).toEqual({
      canonical: 'pageViews',
      property: 'hs_analytics_num_page_views',
      type: 'number',
    });
  });

  it('reads a record into canonical values, blanks as null, leaving the stage to the stage readers', () => {
    const lead = toCanonicalLead(
      {
        email: 'ann@acme.com',
        numemployees: '250',
        hs_analytics_num_page_views: '',
        hs_last_sales_activity_timestamp: '1736942400000',
        leadbridge_stage: 'mql',
      },
      fields,
      'hubspot',
    );
    expect(lead).toEqual({
      email: 'ann@acme.com',
      numberOfEmployees: 250,
      pageViews: null,
      lastSeenAt: '2025-01-15T12:00:00.000Z',
    });
  });

  it('turns a canonical patch into the system names, dropping fields it does not carry', () => {
    const patch = { email: 'ann@acme.com', pageViews: 3, numberOfEmployees: '300', phone: '555' };
    expect(toSystemProperties(patch, fields, 'salesforce')).toEqual({
      Email: 'ann@acme.com',
      NumberOfEmployees: 300,
    });
    expect(toSystemProperties({ email: null }, fields, 'hubspot')).toEqual({ email: null });
  });

  it('maps the computed fields to the configured names, unsynced unless computed', () => {
    const mappings = computedFieldMappings({
      hubspot: { score: 'leadbridge_score', rejectedAt: 'leadbridge_rejected_at' },
      salesforce: { score: 'LeadBridge_Score__c' },
    });
    expect(mappings.map((m) => m.canonical)).toEqual(Object.keys(COMPUTED_FIELDS));
    expect(mappings[0]).toEqual(
      FieldMapping.parse({
        canonical: 'score',
        hubspot: 'leadbridge_score',
        salesforce: 'LeadBridge_Score__c',
        type: 'number',
        ownership: 'none',
      }),
    );
    const rejectedAt = mappings.find((m) => m.canonical === 'rejectedAt');
    expect(rejectedAt).toMatchObject({ hubspot: 'leadbridge_rejected_at', type: 'datetime' });
    expect(rejectedAt?.salesforce).toBeUndefined();
    for (const mapping of mappings) expect(FieldMapping.safeParse(mapping).success).toBe(true);
  });
});
