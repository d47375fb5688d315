import { describe, expect, it } from 'vitest';
import { contactProperties, fromCanonical, toCanonical } from '../../../connectors/hubspot/mapping.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';

const config = LeadBridgeConfig.parse({
  tenants: [
    {
      id: 'acme',
      hubspot: { accessToken: 't' },
      salesforce: {
        orgId: '00D000000000000AAA',
        accessToken: 'x',
        instanceUrl: 'https://x.my.salesforce.com',
      },
    },
  ],
  fields: [
    { canonical: 'email', hubspot: 'email', salesforce: 'Email' },
    { canonical: 'firstName', hubspot: 'firstname', salesforce: 'FirstName' },
    { canonical: 'pageViews', hubspot: 'hs_analytics_num_page_views', type: 'number' },
    { canonical: 'lastActivityAt', hubspot: 'notes_last_updated', type: 'datetime' },
    { canonical: 'optedIn', hubspot: 'opted_in', type: 'boolean' },
    { canonical: 'industry', salesforce: 'Industry' },
  ],
});

describe('HubSpot mapping', () => {
  it('reads typed canonical values and leaves unset ones null', () => {
    const lead = toCanonical(
      {
        email: 'ada@acme-analytics.com',
        firstname: '',
        hs_analytics_num_page_views: '42',
        notes_last_updated: '1731427200000',
        opted_in: 'true',
        leadbridge_score: '61',
        leadbridge_sla_breached: 'false',
        leadbridge_rejected_at: '2024-11-12T16:00:00Z',
        lifecyclestage: 'marketingqualifiedlead',
      },
      config,
    );
    expect(lead).toMatchObject({
      email: 'ada@acme-analytics.com',
      firstName: null,
      pageViews: 42,
      lastActivityAt: '2024-11-12T16:00:00.000Z',
      optedIn: true,
      score: 61,
      slaBreached: false,
      rejectedAt: '2024-11-12T16:00:00.000Z',
      rejectionReason: null,
      stage: 'mql',
    });
    expect(lead).not.toHaveProperty('industry');
  });

  it('tells side states apart by the stage LeadBridge wrote', () => {
    const base = { lifecyclestage: 'lead', hs_lead_status: 'UNQUALIFIED' };
    // Disqualified writes lifecyclestage `other` by default, so it reads back from the native fields too.
    expect(toCanonical({ lifecyclestage: 'other', leadbridge_stage: 'disqualified' }, config).stage).toBe(
      'disqualified',
    );
    expect(toCanonical({ lifecyclestage: 'other' }, config).stage).toBe('disqualified');
    expect(toCanonical({ ...base, leadbridge_stage: 'rejected' }, config).stage).toBe('rejected');
    expect(toCanonical({ lifecyclestage: 'salesqualifiedlead', leadbridge_stage: 'mql' }, config).stage).toBe(
      'sql',
    );
  });

  it('writes strings, clears with "", and writes a stage three ways', () => {
    expect(
      fromCanonical(
        {
          firstName: null,
          pageViews: 7,
          optedIn: false,
          lastActivityAt: '2024-11-12T16:00:00+01:00',
          score: 55,
          stage: 'mql',
          industry: 'x',
        },
        config,
      ),
    ).toEqual({
      firstname: '',
      hs_analytics_num_page_views: '7',
      opted_in: 'false',
      notes_last_updated: '2024-11-12T15:00:00.000Z',
      leadbridge_score: '55',
      leadbridge_stage: 'mql',
      lifecyclestage: 'marketingqualifiedlead',
    });
    expect(fromCanonical({ stage: 'rejected', rejectionReason: 'No budget' }, config)).toEqual({
      leadbridge_stage: 'rejected',
      hs_lead_status: 'UNQUALIFIED',
      leadbridge_rejection_reason: 'No budget',
    });
  });

  it('clears the hs_lead_status a side state set when the lead leaves it, and only then', () => {
    expect(fromCanonical({ stage: 'mql' }, config, 'recycled')).toEqual({
      leadbridge_stage: 'mql',
      lifecyclestage: 'marketingqualifiedlead',
      hs_lead_status: '',
    });
    // From a plain stage a rep's own lead status is left alone.
    expect(fromCanonical({ stage: 'sql' }, config, 'mql')).not.toHaveProperty('hs_lead_status');
    expect(fromCanonical({ stage: 'mql' }, config)).not.toHaveProperty('hs_lead_status');
  });

  it('asks for every property it maps', () => {
    expect(contactProperties(config)).toEqual(
      expect.arrayContaining([
        'email',
        'firstname',
        'hs_analytics_num_page_views',
        'opted_in',
        'lifecyclestage',
        'hs_lead_status',
        'lastmodifieddate',
        'leadbridge_stage',
        'leadbridge_score',
      ]),
    );
  });
});
