import { describe, expect, it } from 'vitest';
import {
  fromCanonical,
  salesforceMapping,
  statusForStage,
  toCanonical,
  toIsoInstant,
} from '../../../connectors/salesforce/mapping.ts';
import { convertedStage } from '../../../connectors/salesforce/records.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';

const config = LeadBridgeConfig.parse({
  tenants: [
    {
      id: 'acme',
      hubspot: { accessToken: 't' },
      salesforce: {
        orgId: '00D5g000004LBdgEAG',
        accessToken: 'x',
        instanceUrl: 'https://acme.my.salesforce.com',
      },
    },
  ],
  fields: [
    { canonical: 'email', hubspot: 'email', salesforce: 'Email' },
    { canonical: 'lastName', hubspot: 'lastname', salesforce: 'LastName' },
    { canonical: 'company', hubspot: 'company', salesforce: 'Company' },
    {
      canonical: 'numberOfEmployees',
      hubspot: 'numemployees',
      salesforce: 'NumberOfEmployees',
      type: 'number',
    },
    { canonical: 'pageViews', hubspot: 'hs_analytics_num_page_views', type: 'number' },
  ],
});
const mapping = salesforceMapping(config);

describe('Salesforce mapping', () => {
  it('reads a Lead row into the canonical lead, converting types and stamps', () => {
    const lead = toCanonical(
      {
        Id: '00Q5g0000000001EAA',
        Email: 'ava@northwind.example',
        LastName: 'Nguyen',
        Company: 'Northwind Inc.',
        NumberOfEmployees: 250,
        Status: 'Closed - Not Converted',
        Rejection_Reason__c: 'No budget this year',
        LeadBridge_Score__c: 72,
        LeadBridge_SLA_Due__c: '2026-01-02T10:00:00.000+0000',
        LeadBridge_SLA_Breached__c: false,
      },
      mapping,
    );
    expect(lead).toEqual({
      email: 'ava@northwind.example',
      lastName: 'Nguyen',
      company: 'Northwind Inc.',
      numberOfEmployees: 250,
      score: 72,
      rejectionReason: 'No budget this year',
      slaDueAt: '2026-01-02T10:00:00.000Z',
      slaBreached: false,
      stage: 'rejected',
    });
  });

  it('leaves out fields the row does not carry (a Contact has no Company) and reads blanks as null', () => {
    const lead = toCanonical({ Email: null, LastName: 'Smith' }, mapping);
    expect(lead).toEqual({ email: null, lastName: 'Smith' });
    expect('company' in lead).toBe(false);
  });

  it('keeps our stage while Status agrees, and lets a rep status change win', () => {
    expect(toCanonical({ Status: 'Working - Contacted', LeadBridge_Stage__c: 'sql' }, mapping).stage).toBe(
      'sql',
    );
    expect(toCanonical({ Status: 'Closed - Not Converted', LeadBridge_Stage__c: 'sql' }, mapping).stage).toBe(
      'rejected',
    );
    // No status exists for "customer": it stands above the Status's own stage.
    expect(
      toCanonical({ Status: 'Closed - Converted', LeadBridge_Stage__c: 'customer' }, mapping).stage,
    ).toBe('customer');
    // ...but a stage behind what Status says gives way.
    expect(toCanonical({ Status: 'Working - Contacted', LeadBridge_Stage__c: 'lead' }, mapping).stage).toBe(
      'sql',
    );
    expect(toCanonical({ Status: 'Open - Not Contacted' }, mapping).stage).toBe('mql');
  });

  it('writes canonical fields as Salesforce values with the status of the stage', () => {
    expect(
      fromCanonical(
        {
          email: 'a@b.example',
          numberOfEmployees: 12,
          pageViews: 40,
          score: 55,
          stage: 'sql',
          slaDueAt: '2026-01-02T10:00:00Z',
          rejectionReason: null,
        },
        mapping,
      ),
    ).toEqual({
      Email: 'a@b.example',
      NumberOfEmployees: 12,
      LeadBridge_Score__c: 55,
      LeadBridge_Stage__c: 'sql',
      Status: 'Working - Contacted',
      LeadBridge_SLA_Due__c: '2026-01-02T10:00:00.000Z',
      Rejection_Reason__c: null,
    });
  });

  it('never writes a converted status, nor Status on a Contact, and drops fields the object lacks', () => {
    const converted = new Set(['Closed - Converted']);
    expect(fromCanonical({ stage: 'opportunity' }, mapping, { convertedStatuses: converted })).toEqual({
      LeadBridge_Stage__c: 'opportunity',
    });
    expect(
      fromCanonical({ stage: 'sql', company: 'X', email: 'a@b.example' }, mapping, {
        writeStatus: false,
        available: new Set(['Email', 'LeadBridge_Stage__c']),
      }),
    ).toEqual({ Email: 'a@b.example', LeadBridge_Stage__c: 'sql' });
  });

  it('finds the first status of a stage and normalises Salesforce date-times', () => {
    expect(statusForStage('rejected', mapping)).toBe('Closed - Not Converted');
    expect(statusForStage('customer', mapping)).toBeUndefined();
    expect(toIsoInstant('2026-03-04T05:06:07.000+0000')).toBe('2026-03-04T05:06:07.000Z');
    expect(toIsoInstant('not a date')).toBeNull();
  });

  it('derives the stage of a converted lead from its opportunity', () => {
    const opp = (IsClosed: boolean, IsWon: boolean, SystemModstamp = '2026-01-10T00:00:00.000+0000') => ({
      Id: '0065g0000000001AAA',
      IsClosed,
      IsWon,
      SystemModstamp,
    });
    expect(
      convertedStage(opp(true, true), 'opportunity', '2026-01-01T00:00:00.000+0000', 'opportunity'),
    ).toBe('customer');
    expect(
      convertedStage(opp(true, false), 'opportunity', '2026-01-01T00:00:00.000+0000', 'opportunity'),
    ).toBe('recycled');
    expect(convertedStage(opp(false, false), 'sql', '2026-01-01T00:00:00.000+0000', 'opportunity')).toBe(
      'opportunity',
    );
    // LeadBridge moved the recycled person on to "lead" after the loss: that later move stands.
    expect(convertedStage(opp(true, false), 'lead', '2026-02-01T00:00:00.000+0000', 'opportunity')).toBe(
      'lead',
    );
    expect(convertedStage(undefined, null, '2026-01-01T00:00:00.000+0000', 'opportunity')).toBe(
      'opportunity',
    );
  });
});
