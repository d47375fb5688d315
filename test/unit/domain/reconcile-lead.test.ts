import { describe, expect, it } from 'vitest';
import type { LeadBridgeConfig } from '../../../src/config/schema.ts';
import { HandoffConfig } from '../../../src/domain/handoff-schema.ts';
import { LifecycleConfig } from '../../../src/domain/lifecycle-schema.ts';
import { nextBase } from '../../../src/domain/merge.ts';
import { FieldMapping } from '../../../src/domain/ownership-schema.ts';
import { reconcileLead, type DomainConfig } from '../../../src/domain/reconcile-lead.ts';
import { ScoringConfig } from '../../../src/domain/scoring-schema.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

// A parsed config is what the engine passes; this line fails to compile if the shapes drift apart.
export const configFits = (config: LeadBridgeConfig): DomainConfig => config;

const config: DomainConfig = {
  lifecycle: LifecycleConfig.parse({}),
  handoff: HandoffConfig.parse({ requiredFields: ['email', 'company'] }),
  sla: SlaConfig.parse({}),
  scoring: ScoringConfig.parse({
    mqlThreshold: 50,
    rules: [
      { id: 'has-company', category: 'fit', field: 'company', op: 'exists', points: 20 },
      {
        id: 'demo',
        category: 'engagement',
        field: 'lastDemoAt',
        op: 'recent_within',
        within: '30d',
        points: 40,
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
    { canonical: 'lastDemoAt', hubspot: 'recent_conversion_date', type: 'datetime', ownership: 'hubspot' },
  ].map((mapping) => FieldMapping.parse(mapping)),
  customFields: {
    hubspot: { score: 'leadbridge_score', stage: 'leadbridge_stage', slaDueAt: 'leadbridge_sla_due_at' },
    salesforce: {
      score: 'LeadBridge_Score__c',
      stage: 'LeadBridge_Stage__c',
      rejectionReason: 'Rejection_Reason__c',
    },
  },
};
const now = new Date('2025-03-03T09:00:00.000Z');

describe('one reconcile pass', () => {
  it('hands a lead that crosses the threshold with the required fields to sales', () => {
    const base = { email: 'ann@acme.com', company: 'Acme', stage: 'lead', score: 20 };
    const result = reconcileLead({
      base,
      hubspot: { ...base, lastDemoAt: '2025-03-02T10:00:00Z' },
      salesforce: null,
      config,
      now,
    });
    expect(result.stage).toBe('mql');
    expect(result.decisions.at(-1)).toMatchObject({ by: 'leadbridge', rule: 'handoff', stage: 'mql' });
    expect(result.score.score).toBe(60);
    expect(result.timeline).toEqual({ handoffAt: now.toISOString() });
    expect(result.merge.patches.hubspot).toEqual({
      stage: 'mql',
      score: 60,
      slaDueAt: '2025-03-03T10:00:00.000Z',
    });
    // Handed off: the lead is created in Salesforce with everything it carries.
    expect(result.create).toEqual({ hubspot: false, salesforce: true });
    expect(result.merge.patches.salesforce).toEqual({
      email: 'ann@acme.com',
      company: 'Acme',
      stage: 'mql',
      score: 60,
    });
    expect(result.events.map((event) => event.type)).toEqual(['stage_changed', 'qualified']);
    expect(result.hubspotClearFirst).toBe(false);
  });

  it('holds back a qualified lead that misses a required field, saying why', () => {
    const base = { email: 'ann@acme.com', stage: 'lead' };
    const result = reconcileLead({
      base,
      hubspot: { ...base, company: ' ', lastDemoAt: '2025-03-02T10:00:00Z' },
      salesforce: null,
      config: { ...config, scoring: { ...config.scoring, mqlThreshold: 40 } },
      now,
    });
    expect(result.stage).toBe('lead');
    expect(result.gate.reasons).toEqual(['missing: company']);
    expect(result.events).toContainEqual({ type: 'handoff_blocked', reasons: ['missing: company'] });
    // Not handed off, so nothing goes to Salesforce yet.
    expect(result.merge.patches.salesforce).toEqual({});
    expect(result.create.salesforce).toBe(false);
  });

  it("writes Salesforce's rejection and its reason back to HubSpot", () => {
    const base = { email: 'ann@acme.com', company: 'Acme', stage: 'sql', score: 60 };
    const result = reconcileLead({
      base,
      hubspot: { ...base },
      salesforce: { ...base, stage: 'rejected', rejectionReason: 'No budget' },
      meta: { salesforce: { actor: '005xx0000012345' } },
      timeline: { handoffAt: '2025-03-01T09:00:00.000Z', firstFollowUpAt: '2025-03-01T09:30:00.000Z' },
      config,
      now,
    });
    expect(result.stage).toBe('rejected');
    expect(result.computed).toMatchObject({ rejectionReason: 'No budget', rejectedAt: now.toISOString() });
    expect(result.merge.patches.hubspot).toMatchObject({ stage: 'rejected' });
    expect(result.events[0]).toMatchObject({
      type: 'stage_changed',
      by: 'salesforce',
      move: { actor: '005xx0000012345', reason: 'No budget' },
    });
    expect(result.timeline.feedbackAt).toBe(now.toISOString());
  });

  it('recycles a rejected lead once its time is up, clearing lifecyclestage first in HubSpot', () => {
    const base = {
      email: 'a@b.co',
      company: 'B',
      stage: 'rejected',
      rejectedAt: '2024-11-01T00:00:00.000Z',
      score: 0,
    };
    const result = reconcileLead({ base, hubspot: { ...base }, salesforce: { ...base }, config, now });
    expect(result.stage).toBe('recycled');
    expect(result.decisions.filter((decision) => decision.changed)).toEqual([
      expect.objectContaining({
        by: 'leadbridge',
        rule: 'explicit_recycle',
        move: expect.objectContaining({ actor: 'leadbridge' }),
      }),
    ]);
    expect(result.hubspotClearFirst).toBe(true);
    expect(result.timeline).toEqual({});
  });

  it('creates a sales-sourced lead in HubSpot', () => {
    const lead = { email: 'sam@globex.com', company: 'Globex', stage: 'sql' };
    const result = reconcileLead({ base: null, hubspot: null, salesforce: lead, config, now });
    expect(result.stage).toBe('sql');
    expect(result.create).toEqual({ hubspot: true, salesforce: false });
    expect(result.merge.patches.hubspot).toMatchObject({
      email: 'sam@globex.com',
      company: 'Globex',
      stage: 'sql',
    });
    expect(result.hubspotClearFirst).toBe(false);
  });

  it('applies a move asked for directly, and nothing the rules refuse', () => {
    const base = { email: 'a@b.co', company: 'B', stage: 'sql' };
    const disqualified = reconcileLead({
      base,
      hubspot: base,
      salesforce: base,
      move: { to: 'disqualified', actor: 'admin', reason: 'competitor' },
      config,
      now,
    });
    expect(disqualified).toMatchObject({
      stage: 'disqualified',
      computed: { rejectionReason: 'competitor' },
    });
    const back = reconcileLead({
      base,
      hubspot: base,
      salesforce: base,
      move: { to: 'mql', actor: 'admin', reason: 'oops' },
      config,
      now,
    });
    // An admin's move is explicit: accepted and recorded with who and why.
    expect(back.stage).toBe('mql');
    expect(back.decisions.at(-1)).toMatchObject({ rule: 'explicit_admin', changed: true });
    const byHand = reconcileLead({
      base,
      hubspot: base,
      salesforce: { ...base, stage: 'mql' },
      config,
      now,
    });
    expect(byHand.stage).toBe('sql');
    expect(byHand.decisions.at(-1)).toMatchObject({ rule: 'backward_refused', changed: false });
    expect(byHand.ledger).toContainEqual(
      expect.objectContaining({ type: 'refusal', rule: 'backward_refused', cause: 'rep_status' }),
    );
  });

  it('writes nothing once both sides hold the outcome, and reports the SLA breach once', () => {
    const first = reconcileLead({
      base: { email: 'ann@acme.com', company: 'Acme', stage: 'mql' },
      hubspot: { email: 'ann@acme.com', company: 'Acme', stage: 'mql' },
      salesforce: { email: 'ann@acme.com', company: 'Acme', stage: 'mql' },
      timeline: { handoffAt: '2025-03-03T07:00:00.000Z' },
      config,
      now,
    });
    expect(first.computed.slaBreached).toBe(true);
    expect(first.events).toContainEqual({ type: 'sla_breached', dueAt: '2025-03-03T08:00:00.000Z' });
    const base = nextBase(null, first.merge, { hubspot: true, salesforce: true });
    const applied = (side: 'hubspot' | 'salesforce') => ({
      ...first.merge.merged,
      ...first.merge.patches[side],
    });
    const second = reconcileLead({
      base,
      hubspot: applied('hubspot'),
      salesforce: applied('salesforce'),
      ledger: first.lifecycle,
      config,
      now,
    });
    expect(second.ledger).toEqual([]);
    expect(second.merge.patches).toEqual({ hubspot: {}, salesforce: {} });
    expect(second.events).toEqual([]);
  });
});
