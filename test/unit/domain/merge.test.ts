import { describe, expect, it } from 'vitest';
import { effectiveOwnership, mergeLead, nextBase } from '../../../src/domain/merge.ts';
import { FieldMapping } from '../../../src/domain/ownership-schema.ts';
import { computedFieldMappings } from '../../../src/domain/system-fields.ts';

const field = (canonical: string, spec: Record<string, unknown> = {}) =>
  FieldMapping.parse({ canonical, hubspot: canonical.toLowerCase(), salesforce: canonical, ...spec });

const merge = (spec: Record<string, unknown>, base: unknown, hubspot: unknown, salesforce: unknown) =>
  mergeLead({
    fields: [field('x', spec)],
    base: { x: base } as never,
    hubspot: { x: hubspot } as never,
    salesforce: { x: salesforce } as never,
  });

describe('ownership rules', () => {
  it('hubspot: HubSpot always wins, blank included', () => {
    expect(merge({ ownership: 'hubspot' }, 'a', 'b', 'c')).toMatchObject({
      merged: { x: 'b' },
      patches: { hubspot: {}, salesforce: { x: 'b' } },
    });
    expect(merge({ ownership: 'hubspot' }, 'a', '', 'c').patches.salesforce).toEqual({ x: null });
  });

  it('salesforce: Salesforce always wins', () => {
    expect(merge({ ownership: 'salesforce' }, 'a', 'b', 'c')).toMatchObject({
      merged: { x: 'c' },
      patches: { hubspot: { x: 'c' }, salesforce: {} },
    });
  });

  it('prefer_hubspot_unless_blank: HubSpot unless it has nothing', () => {
    expect(merge({ ownership: 'prefer_hubspot_unless_blank' }, null, 'b', 'c').merged.x).toBe('b');
    expect(merge({ ownership: 'prefer_hubspot_unless_blank' }, null, ' ', 'c')).toMatchObject({
      merged: { x: 'c' },
      patches: { hubspot: { x: 'c' }, salesforce: {} },
    });
  });

  it('prefer_salesforce_unless_blank: Salesforce unless it has nothing', () => {
    expect(merge({ ownership: 'prefer_salesforce_unless_blank' }, 'a', 'b', 'c').merged.x).toBe('c');
    expect(merge({ ownership: 'prefer_salesforce_unless_blank' }, 'a', 'b', null)).toMatchObject({
      merged: { x: 'b' },
      patches: { hubspot: {}, salesforce: { x: 'b' } },
    });
  });

  it('two_way: the side that changed since the last sync wins', () => {
    expect(merge({ ownership: 'two_way' }, 'a', 'b', 'a')).toMatchObject({
      merged: { x: 'b' },
      patches: { hubspot: {}, salesforce: { x: 'b' } },
    });
    expect(merge({ ownership: 'two_way' }, 'a', 'a', 'c')).toMatchObject({
      merged: { x: 'c' },
      patches: { hubspot: { x: 'c' }, salesforce: {} },
    });
    // Clearing a value is a change too.
    expect(merge({ ownership: 'two_way' }, 'a', 'a', '').patches.hubspot).toEqual({ x: null });
  });

  it('two_way: both changed to different values is a conflict the tie-break settles', () => {
    const bySalesforce = merge({ ownership: 'two_way' }, 'a', 'b', 'c');
    expect(bySalesforce.merged.x).toBe('c');
    expect(bySalesforce.conflicts).toEqual([
      {
        field: 'x',
        base: 'a',
        hubspot: 'b',
        salesforce: 'c',
        ownership: 'two_way',
        winner: 'salesforce',
        value: 'c',
        rule: 'both changed since the last sync; tie-break salesforce',
      },
    ]);
    const byHubSpot = merge({ ownership: 'two_way', tieBreak: 'hubspot' }, 'a', 'b', 'c');
    expect(byHubSpot).toMatchObject({ merged: { x: 'b' }, patches: { hubspot: {}, salesforce: { x: 'b' } } });
  });

  it('two_way: both changed to the same value is no conflict and no write', () => {
    expect(merge({ ownership: 'two_way' }, 'a', 'b', 'b')).toMatchObject({
      patches: { hubspot: {}, salesforce: {} },
      conflicts: [],
    });
  });

  it('records conflicts under every rule, with how they were settled', () => {
    const result = merge({ ownership: 'hubspot' }, 'a', 'b', 'c');
    expect(result.conflicts[0]).toMatchObject({ winner: 'hubspot', rule: 'hubspot owns the field' });
  });

  it('none: never written, read from whichever side has it', () => {
    expect(merge({ ownership: 'none' }, 'a', 'b', 'c')).toMatchObject({
      merged: { x: 'b' },
      patches: { hubspot: {}, salesforce: {} },
      conflicts: [],
    });
    expect(merge({ ownership: 'none' }, 'a', null, 'c').merged.x).toBe('c');
  });

  it('switches ownership once the lead reaches a stage', () => {
    const phone = field('phone', {
      ownership: 'hubspot',
      ownershipFromStage: [{ stage: 'sql', ownership: 'salesforce' }],
    });
    const input = {
      fields: [phone],
      base: { phone: '1' },
      hubspot: { phone: '2' },
      salesforce: { phone: '3' },
    };
    expect(mergeLead({ ...input, stage: 'mql' }).merged.phone).toBe('2');
    expect(mergeLead({ ...input, stage: 'sql' }).merged.phone).toBe('3');
    expect(mergeLead({ ...input, stage: 'customer' }).merged.phone).toBe('3');
    expect(mergeLead({ ...input, computed: { stage: 'opportunity' } }).merged.phone).toBe('3');
    expect(mergeLead({ ...input, base: { phone: '1', stage: 'sql' } }).merged.phone).toBe('3');
  });

  it('takes the furthest ownershipFromStage entry reached, whatever their order', () => {
    const mapping = field('x', {
      ownership: 'hubspot',
      ownershipFromStage: [
        { stage: 'opportunity', ownership: 'none' },
        { stage: 'mql', ownership: 'salesforce' },
      ],
    });
    expect(effectiveOwnership(mapping, 'lead')).toBe('hubspot');
    expect(effectiveOwnership(mapping, 'sql')).toBe('salesforce');
    expect(effectiveOwnership(mapping, 'customer')).toBe('none');
    expect(effectiveOwnership(mapping, 'rejected')).toBe('salesforce');
    expect(effectiveOwnership(mapping, null)).toBe('hubspot');
  });
});

describe('normalising before comparing', () => {
  it('writes nothing for null vs empty vs missing', () => {
    const result = mergeLead({
      fields: [field('a'), field('b'), field('c')],
      base: {},
      hubspot: { a: null, b: '' },
      salesforce: { a: '', c: null },
    });
    expect(result.patches).toEqual({ hubspot: {}, salesforce: {} });
  });

  it('writes nothing for numbers vs numeric strings, instants in other forms, emails in other case', () => {
    const result = mergeLead({
      fields: [field('employees', { type: 'number' }), field('seenAt', { type: 'datetime' }), field('email')],
      base: null,
      hubspot: { employees: '250', seenAt: '1736942400000', email: 'Ann@Acme.com' },
      salesforce: { employees: 250, seenAt: '2025-01-15T12:00:00.000+0000', email: 'ann@acme.com' },
    });
    expect(result.patches).toEqual({ hubspot: {}, salesforce: {} });
    expect(result.merged).toEqual({
      employees: 250,
      seenAt: '2025-01-15T12:00:00.000Z',
      email: 'ann@acme.com',
    });
  });

  it('writes canonical values', () => {
    const result = mergeLead({
      fields: [field('employees', { type: 'number', ownership: 'hubspot' })],
      hubspot: { employees: '300' },
      salesforce: { employees: 250 },
    });
    expect(result.patches.salesforce).toEqual({ employees: 300 });
  });
});

describe('what gets written where', () => {
  it('reads a field one system lacks from the other, and writes it nowhere', () => {
    const views = FieldMapping.parse({
      canonical: 'pageViews',
      hubspot: 'hs_analytics_num_page_views',
      type: 'number',
    });
    const result = mergeLead({
      fields: [views],
      hubspot: { pageViews: '12' },
      salesforce: { pageViews: 99 },
    });
    expect(result).toMatchObject({ merged: { pageViews: 12 }, patches: { hubspot: {}, salesforce: {} } });
  });

  it('writes computed values to every side that carries them, over either side', () => {
    const fields = [
      ...computedFieldMappings({
        hubspot: {
          score: 'leadbridge_score',
          stage: 'leadbridge_stage',
          rejectedAt: 'leadbridge_rejected_at',
        },
        salesforce: { score: 'LeadBridge_Score__c', stage: 'LeadBridge_Stage__c' },
      }),
    ];
    const result = mergeLead({
      fields,
      base: { score: 10, stage: 'mql' },
      hubspot: { score: 10, stage: 'mql', rejectedAt: null },
      salesforce: { score: 40, stage: 'sql' },
      computed: {
        score: 40,
        stage: 'sql',
        rejectedAt: '2025-03-01T00:00:00Z',
        slaDueAt: '2025-03-01T01:00:00Z',
      },
    });
    expect(result.patches).toEqual({
      hubspot: { score: 40, stage: 'sql', rejectedAt: '2025-03-01T00:00:00.000Z' },
      salesforce: {},
    });
    expect(result.merged).toMatchObject({ score: 40, stage: 'sql', slaDueAt: '2025-03-01T01:00:00.000Z' });
    expect(result.conflicts).toEqual([]);
  });

  it('carries unmapped fields into the merged lead without writing them', () => {
    const result = mergeLead({
      fields: [field('x')],
      hubspot: { x: 'a', stage: 'mql' },
      salesforce: { x: 'a', stage: 'sql', extra: 5 },
    });
    expect(result.merged).toEqual({ x: 'a', stage: 'mql', extra: 5 });
    expect(result.patches).toEqual({ hubspot: {}, salesforce: {} });
  });

  it('creates a missing side from the other, writing only what is not blank', () => {
    const result = mergeLead({
      fields: [
        field('email'),
        field('phone', { ownership: 'salesforce' }),
        field('notes', { ownership: 'none' }),
      ],
      base: { email: 'old@acme.com', phone: '1' },
      hubspot: { email: 'ann@acme.com', phone: '2', notes: 'x' },
      salesforce: null,
    });
    expect(result.merged).toEqual({ email: 'ann@acme.com', phone: '2', notes: 'x' });
    expect(result.patches).toEqual({ hubspot: {}, salesforce: { email: 'ann@acme.com', phone: '2' } });
    expect(result.conflicts).toEqual([]);
  });

  it('does not change its inputs', () => {
    const hubspot = { x: 'b' };
    const salesforce = { x: 'c' };
    const base = { x: 'a' };
    mergeLead({ fields: [field('x')], base, hubspot, salesforce });
    expect([base, hubspot, salesforce]).toEqual([{ x: 'a' }, { x: 'b' }, { x: 'c' }]);
  });
});

describe('the next base', () => {
  const fields = [field('x'), field('y')];
  const previous = { x: 'a', y: 'p' };
  const result = mergeLead({
    fields,
    base: previous,
    hubspot: { x: 'b', y: 'p' },
    salesforce: { x: 'a', y: 'q' },
  });

  it('is the merged lead when both writes succeeded', () => {
    expect(result.patches).toEqual({ hubspot: { y: 'q' }, salesforce: { x: 'b' } });
    expect(nextBase(previous, result, { hubspot: true, salesforce: true })).toEqual({ x: 'b', y: 'q' });
  });

  it('keeps the old base for fields a failed write did not deliver', () => {
    const base = nextBase(previous, result, { hubspot: true, salesforce: false });
    expect(base).toEqual({ x: 'a', y: 'q' });
    // Next round Salesforce still has the old value; HubSpot's change still wins and is written again.
    const again = mergeLead({ fields, base, hubspot: { x: 'b', y: 'q' }, salesforce: { x: 'a', y: 'q' } });
    expect(again.patches).toEqual({ hubspot: {}, salesforce: { x: 'b' } });
  });

  it('leaves out a field that had no base when its write failed', () => {
    const first = mergeLead({ fields, base: null, hubspot: { x: 'b' }, salesforce: {} });
    expect(nextBase(null, first, { hubspot: true, salesforce: false })).toEqual({ y: null });
  });
});
