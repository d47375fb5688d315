import { describe, expect, it } from 'vitest';
import {
  hubspotNeedsClear,
  hubspotStageProperties,
  isBackwardLifecyclestage,
  salesforceStatusForStage,
  stageForSalesforceStatus,
  stageFromHubSpot,
  stageFromHubSpotNative,
  stageFromSalesforce,
} from '../../../src/domain/lifecycle-mapping.ts';
import { LifecycleConfig } from '../../../src/domain/lifecycle-schema.ts';

const lifecycle = LifecycleConfig.parse({});

describe('reading the stage from HubSpot', () => {
  it('derives stages from lifecyclestage', () => {
    expect(stageFromHubSpotNative({ lifecyclestage: 'marketingqualifiedlead' }, lifecycle)).toBe('mql');
    expect(stageFromHubSpotNative({ lifecyclestage: 'salesqualifiedlead' }, lifecycle)).toBe('sql');
    expect(stageFromHubSpotNative({ lifecyclestage: 'lead' }, lifecycle)).toBe('lead');
    expect(stageFromHubSpotNative({ lifecyclestage: 'evangelist' }, lifecycle)).toBeNull();
    expect(stageFromHubSpotNative({}, lifecycle)).toBeNull();
  });

  it('derives side states from hs_lead_status while lifecyclestage agrees', () => {
    expect(
      stageFromHubSpotNative(
        { lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'UNQUALIFIED' },
        lifecycle,
      ),
    ).toBe('rejected');
    expect(stageFromHubSpotNative({ lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING' }, lifecycle)).toBe(
      'recycled',
    );
    // Marketing re-qualified a recycled lead: lifecyclestage moved on, the old status stayed.
    expect(
      stageFromHubSpotNative(
        { lifecyclestage: 'marketingqualifiedlead', hs_lead_status: 'BAD_TIMING' },
        lifecycle,
      ),
    ).toBe('mql');
    expect(stageFromHubSpotNative({ lifecyclestage: 'lead', hs_lead_status: 'OPEN' }, lifecycle)).toBe(
      'lead',
    );
  });

  it('prefers leadbridge_stage while the native fields still show what it writes', () => {
    const reading = stageFromHubSpot(
      {
        lifecyclestage: 'other',
        hs_lead_status: 'UNQUALIFIED',
        leadbridgeStage: 'disqualified',
      },
      lifecycle,
    );
    expect(reading).toMatchObject({ stage: 'disqualified', source: 'leadbridge_stage' });
    expect(
      stageFromHubSpot(
        { lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING', leadbridgeStage: 'recycled' },
        lifecycle,
      ).stage,
    ).toBe('recycled');
  });

  it('follows the native fields once someone in HubSpot changed them', () => {
    const reading = stageFromHubSpot(
      { lifecyclestage: 'salesqualifiedlead', leadbridgeStage: 'mql' },
      lifecycle,
    );
    expect(reading).toMatchObject({ stage: 'sql', source: 'native' });
    expect(reading.explanation).toContain('salesqualifiedlead');
  });

  it('ignores an invalid leadbridge_stage and falls back on it when the native fields say nothing', () => {
    expect(stageFromHubSpot({ lifecyclestage: 'lead', leadbridgeStage: 'bogus' }, lifecycle).stage).toBe(
      'lead',
    );
    expect(
      stageFromHubSpot({ lifecyclestage: 'evangelist', leadbridgeStage: 'customer' }, lifecycle),
    ).toMatchObject({
      stage: 'customer',
      source: 'leadbridge_stage',
    });
    expect(stageFromHubSpot({}, lifecycle)).toMatchObject({ stage: null, source: 'none' });
  });
});

describe('reading the stage from Salesforce', () => {
  it('maps Status to stages', () => {
    expect(stageForSalesforceStatus('Open - Not Contacted', lifecycle)).toBe('mql');
    expect(stageForSalesforceStatus('Working - Contacted', lifecycle)).toBe('sql');
    expect(stageForSalesforceStatus('Closed - Converted', lifecycle)).toBe('opportunity');
    expect(stageForSalesforceStatus('Closed - Not Converted', lifecycle)).toBe('rejected');
    expect(stageForSalesforceStatus('Nurturing', lifecycle)).toBeNull();
    expect(stageForSalesforceStatus(null, lifecycle)).toBeNull();
  });

  it('prefers our stage field when Status cannot express it or agrees with it', () => {
    // No status stands for recycled, so Status still shows the rejection that came before it.
    expect(
      stageFromSalesforce({ status: 'Closed - Not Converted', leadbridgeStage: 'recycled' }, lifecycle),
    ).toMatchObject({ stage: 'recycled', source: 'leadbridge_stage' });
    expect(
      stageFromSalesforce({ status: 'Closed - Converted', leadbridgeStage: 'customer' }, lifecycle).stage,
    ).toBe('customer');
    expect(
      stageFromSalesforce({ status: 'Working - Contacted', leadbridgeStage: 'sql' }, lifecycle).source,
    ).toBe('leadbridge_stage');
  });

  it('follows Status when a rep changed it to another stage', () => {
    expect(
      stageFromSalesforce({ status: 'Closed - Not Converted', leadbridgeStage: 'sql' }, lifecycle),
    ).toMatchObject({ stage: 'rejected', source: 'native' });
    expect(stageFromSalesforce({ status: 'Working - Contacted' }, lifecycle).stage).toBe('sql');
    expect(stageFromSalesforce({ status: 'Nurturing' }, lifecycle)).toMatchObject({
      stage: null,
      source: 'none',
    });
  });
});

describe('writing the stage', () => {
  it('writes the first Salesforce status mapped to the stage, none for unmapped stages', () => {
    expect(salesforceStatusForStage('sql', lifecycle)).toBe('Working - Contacted');
    expect(salesforceStatusForStage('rejected', lifecycle)).toBe('Closed - Not Converted');
    expect(salesforceStatusForStage('customer', lifecycle)).toBeUndefined();
    const twoForMql = LifecycleConfig.parse({
      salesforce: { status: { 'Open - New': 'mql', 'Open - Not Contacted': 'mql' } },
    });
    expect(salesforceStatusForStage('mql', twoForMql)).toBe('Open - New');
  });

  it('writes lifecyclestage and hs_lead_status as mapped', () => {
    expect(hubspotStageProperties('sql', lifecycle)).toEqual({ lifecyclestage: 'salesqualifiedlead' });
    expect(hubspotStageProperties('rejected', lifecycle)).toEqual({ hs_lead_status: 'UNQUALIFIED' });
    expect(hubspotStageProperties('recycled', lifecycle)).toEqual({
      lifecyclestage: 'lead',
      hs_lead_status: 'BAD_TIMING',
    });
  });

  it('clears the side-state lead status when the lead leaves the side state', () => {
    expect(hubspotStageProperties('lead', lifecycle, 'recycled')).toEqual({
      lifecyclestage: 'lead',
      hs_lead_status: null,
    });
    expect(hubspotStageProperties('sql', lifecycle, 'mql')).toEqual({ lifecyclestage: 'salesqualifiedlead' });
  });
});

describe("HubSpot's no-backward-lifecyclestage rule", () => {
  it('orders lifecyclestage values by the configured stages', () => {
    expect(isBackwardLifecyclestage('salesqualifiedlead', 'lead', lifecycle)).toBe(true);
    expect(isBackwardLifecyclestage('lead', 'salesqualifiedlead', lifecycle)).toBe(false);
    expect(isBackwardLifecyclestage('lead', 'lead', lifecycle)).toBe(false);
    expect(isBackwardLifecyclestage('', 'lead', lifecycle)).toBe(false);
    expect(isBackwardLifecyclestage(null, 'lead', lifecycle)).toBe(false);
  });

  it("falls back on HubSpot's default order, then on clearing for values it cannot order", () => {
    expect(isBackwardLifecyclestage('evangelist', 'customer', lifecycle)).toBe(true);
    expect(isBackwardLifecyclestage('customer', 'evangelist', lifecycle)).toBe(false);
    expect(isBackwardLifecyclestage('1234567', 'lead', lifecycle)).toBe(true);
  });

  it('needs a clear for a recycle back to lead, not for a rejection or a forward move', () => {
    expect(hubspotNeedsClear({ from: 'rejected', to: 'recycled' }, lifecycle)).toBe(true);
    expect(hubspotNeedsClear({ from: 'sql', to: 'rejected' }, lifecycle)).toBe(false);
    expect(hubspotNeedsClear({ from: 'mql', to: 'sql' }, lifecycle)).toBe(false);
    expect(hubspotNeedsClear({ from: null, to: 'lead' }, lifecycle)).toBe(false);
    expect(hubspotNeedsClear({ from: 'recycled', to: 'lead' }, lifecycle)).toBe(false);
  });

  it("uses the contact's current lifecyclestage when the connector knows it", () => {
    expect(
      hubspotNeedsClear({ from: 'rejected', to: 'recycled', currentLifecyclestage: 'lead' }, lifecycle),
    ).toBe(false);
    expect(
      hubspotNeedsClear(
        { from: 'rejected', to: 'recycled', currentLifecyclestage: 'opportunity' },
        lifecycle,
      ),
    ).toBe(true);
  });
});
