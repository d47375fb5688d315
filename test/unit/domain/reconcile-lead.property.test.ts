import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HandoffConfig } from '../../../src/domain/handoff-schema.ts';
import type { Lead } from '../../../src/domain/lead.ts';
import {
  hubspotStageProperties,
  salesforceStatusForStage,
  stageFromHubSpot,
  stageFromSalesforce,
} from '../../../src/domain/lifecycle-mapping.ts';
import { LifecycleConfig, SIDE_STATES } from '../../../src/domain/lifecycle-schema.ts';
import { nextBase } from '../../../src/domain/merge.ts';
import { FieldMapping } from '../../../src/domain/ownership-schema.ts';
import { reconcileLead, type DomainConfig } from '../../../src/domain/reconcile-lead.ts';
import { ScoringConfig } from '../../../src/domain/scoring-schema.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

const lifecycle = LifecycleConfig.parse({});
const config: DomainConfig = {
  lifecycle,
  handoff: HandoffConfig.parse({ requiredFields: ['email', 'company'] }),
  sla: SlaConfig.parse({ recycleAfter: '30d' }),
  scoring: ScoringConfig.parse({
    rules: [
      { id: 'company', category: 'fit', field: 'company', op: 'exists', points: 30 },
      {
        id: 'demo',
        category: 'engagement',
        field: 'lastDemoAt',
        op: 'recent_within',
        within: '7d',
        points: 30,
      },
    ],
  }),
  fields: [
    { canonical: 'email', hubspot: 'email', salesforce: 'Email' },
    {
      canonical: 'company',
      hubspot: 'company',
      salesforce: 'Company',
      ownership: 'prefer_salesforce_unless_blank',
    },
    {
      canonical: 'phone',
      hubspot: 'phone',
      salesforce: 'Phone',
      ownership: 'hubspot',
      ownershipFromStage: [{ stage: 'sql', ownership: 'salesforce' }],
    },
    { canonical: 'lastDemoAt', hubspot: 'recent_conversion_date', type: 'datetime', ownership: 'hubspot' },
  ].map((mapping) => FieldMapping.parse(mapping)),
  customFields: {
    hubspot: {
      score: 's',
      stage: 'st',
      rejectionReason: 'r',
      rejectedAt: 'ra',
      slaDueAt: 'd',
      slaBreached: 'b',
    },
    salesforce: { score: 'S', stage: 'ST', rejectionReason: 'R', slaDueAt: 'D', slaBreached: 'B' },
  },
};
const now = new Date('2025-03-03T09:00:00.000Z');
const anyStage = fc.constantFrom(...lifecycle.stages, ...SIDE_STATES);

const aLead = fc.record(
  {
    email: fc.constantFrom('ann@acme.com', 'Ann@Acme.com', '', null),
    company: fc.constantFrom('Acme', 'Globex', null),
    phone: fc.constantFrom('1', '2', null),
    lastDemoAt: fc.constantFrom('2025-03-01T00:00:00Z', '2025-01-01T00:00:00Z', null),
    stage: fc.option(anyStage, { nil: null }),
    rejectionReason: fc.constantFrom('No budget', '', null),
  },
  { requiredKeys: [] },
);
const aBase = fc.option(
  fc
    .tuple(aLead, fc.constantFrom('2025-01-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z', null))
    .map(([lead, rejectedAt]) => ({ ...lead, rejectedAt })),
  { nil: null },
);

/** A side after its patch was written and read back (created from the patch when it had no record). */
const written = (side: Partial<Lead> | null, patch: Partial<Lead>, create: boolean) =>
  create ? { ...patch } : side === null ? null : { ...side, ...patch };

describe('reconcile pass invariants', () => {
  it('a second pass over the written result changes nothing, so loops end by construction', () => {
    fc.assert(
      fc.property(
        aBase,
        fc.option(aLead, { nil: null }),
        fc.option(aLead, { nil: null }),
        (base, hubspot, salesforce) => {
          const first = reconcileLead({ base, hubspot, salesforce, config, now });
          const second = reconcileLead({
            base: nextBase(base, first.merge, { hubspot: true, salesforce: true }),
            hubspot: written(hubspot, first.merge.patches.hubspot, first.create.hubspot),
            salesforce: written(salesforce, first.merge.patches.salesforce, first.create.salesforce),
            ledger: first.lifecycle,
            config,
            now,
          });
          expect(second.stage).toBe(first.stage);
          expect(second.merge.patches).toEqual({ hubspot: {}, salesforce: {} });
          expect(second.events.filter((event) => event.type === 'stage_changed')).toEqual([]);
        },
      ),
    );
  });

  it('a stage written to either system reads back as the same stage, whatever was there before', () => {
    fc.assert(
      fc.property(
        anyStage,
        fc.option(anyStage, { nil: null }),
        fc.constantFrom('lead', 'marketingqualifiedlead', 'customer', 'evangelist', null),
        fc.constantFrom('NEW', 'UNQUALIFIED', 'BAD_TIMING', null),
        fc.constantFrom(...Object.keys(lifecycle.salesforce.status), 'Nurturing', null),
        (stage, previous, lifecyclestage, leadStatus, status) => {
          const properties = hubspotStageProperties(stage, lifecycle, previous);
          const hubspot = {
            lifecyclestage: properties.lifecyclestage ?? lifecyclestage,
            hs_lead_status: 'hs_lead_status' in properties ? properties.hs_lead_status : leadStatus,
            leadbridgeStage: stage,
          };
          expect(stageFromHubSpot(hubspot, lifecycle).stage).toBe(stage);
          const salesforce = {
            status: salesforceStatusForStage(stage, lifecycle) ?? status,
            leadbridgeStage: stage,
          };
          expect(stageFromSalesforce(salesforce, lifecycle).stage).toBe(stage);
        },
      ),
    );
  });
});
