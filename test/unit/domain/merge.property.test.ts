import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldValue, Lead } from '../../../src/domain/lead.ts';
import { DEFAULT_LIFECYCLE_ORDER } from '../../../src/domain/lifecycle.ts';
import { SIDE_STATES } from '../../../src/domain/lifecycle-schema.ts';
import { mergeLead, type MergeInput } from '../../../src/domain/merge.ts';
import { FieldMapping } from '../../../src/domain/ownership-schema.ts';
import { canonicalValue, valuesEqual } from '../../../src/domain/values.ts';

const NAMES = ['email', 'company', 'employees', 'seenAt', 'optIn', 'notes'] as const;
const ownership = fc.constantFrom(
  'hubspot',
  'salesforce',
  'prefer_hubspot_unless_blank',
  'prefer_salesforce_unless_blank',
  'two_way',
  'none',
);

// Values in the shapes the two systems really hand over: blanks of every kind, numbers and numeric
// strings, instants as ISO (with Z or +0000) and as epoch ms, emails in mixed case, booleans as words.
const aValue: fc.Arbitrary<FieldValue | undefined> = fc.oneof(
  fc.constantFrom(null, undefined, '', '  '),
  fc.constantFrom('Acme', 'acme', ' Acme ', 'Globex', 'Ann@Acme.com', 'ann@acme.com', 'bob@acme.com'),
  fc.constantFrom(0, 42, 250, '42', '250', '250.0', 'n/a'),
  fc.constantFrom('2025-01-15T12:00:00Z', '2025-01-15T12:00:00.000+0000', '1736942400000', '2025-02-01'),
  fc.constantFrom(true, false, 'true', 'false'),
  fc.string({ maxLength: 4 }),
);

const aMapping = (canonical: string) =>
  fc
    .record({
      type: fc.constantFrom('string', 'number', 'boolean', 'datetime'),
      ownership,
      tieBreak: fc.constantFrom('hubspot', 'salesforce'),
      on: fc.constantFrom('both', 'both', 'both', 'hubspot', 'salesforce'),
      fromStage: fc.option(fc.record({ stage: fc.constantFrom('mql', 'sql', 'customer'), ownership }), {
        nil: undefined,
      }),
    })
    .map(({ on, fromStage, ...rest }) =>
      FieldMapping.parse({
        canonical,
        ...(on !== 'salesforce' ? { hubspot: canonical.toLowerCase() } : {}),
        ...(on !== 'hubspot' ? { salesforce: `${canonical}__c` } : {}),
        ...rest,
        ownershipFromStage: fromStage ? [fromStage] : [],
      }),
    );

const aRecord = fc.record(Object.fromEntries(NAMES.map((name) => [name, aValue])), { requiredKeys: [] });
const aStage = fc.option(fc.constantFrom(...DEFAULT_LIFECYCLE_ORDER.stages, ...SIDE_STATES), { nil: null });
const mappings = fc.tuple(...NAMES.map(aMapping));
const lead = (record: Record<string, unknown>) => record as Partial<Lead>;

const anInput = fc
  .record({
    fields: mappings,
    base: fc.option(aRecord, { nil: null }),
    hubspot: fc.option(aRecord, { nil: null, freq: 5 }),
    salesforce: fc.option(aRecord, { nil: null, freq: 5 }),
    stage: aStage,
    computed: fc.option(fc.record({ notes: aValue, company: aValue }, { requiredKeys: [] }), {
      nil: undefined,
    }),
  })
  .map(({ base, hubspot, salesforce, computed, ...rest }) => ({
    ...rest,
    base: base && lead(base),
    hubspot: hubspot && lead(hubspot),
    salesforce: salesforce && lead(salesforce),
    ...(computed ? { computed: lead(computed) } : {}),
  }));

function sameLead(a: Partial<Lead>, b: Partial<Lead>, fields: readonly FieldMapping[]) {
  for (const { canonical, type } of fields) {
    const left = (a as Record<string, unknown>)[canonical];
    const right = (b as Record<string, unknown>)[canonical];
    expect(
      valuesEqual(left, right, type, canonical),
      `${canonical}: ${String(left)} vs ${String(right)}`,
    ).toBe(true);
  }
}

const noPatches = { hubspot: {}, salesforce: {} };

describe('merge invariants', () => {
  it('patches only fields mapped to that side whose value there differs', () => {
    fc.assert(
      fc.property(anInput, (input: MergeInput) => {
        const result = mergeLead(input);
        for (const system of ['hubspot', 'salesforce'] as const) {
          for (const [name, value] of Object.entries(result.patches[system])) {
            const mapping = input.fields.find((f) => f.canonical === name);
            expect(mapping?.[system]).toBeDefined();
            const current = (input[system] as Record<string, unknown> | null)?.[name];
            expect(valuesEqual(current, value, mapping?.type, name)).toBe(false);
          }
        }
      }),
    );
  });

  it('applying the patches and merging again with base = merged writes nothing', () => {
    fc.assert(
      fc.property(anInput, (input: MergeInput) => {
        const first = mergeLead(input);
        const hubspot = { ...input.hubspot, ...first.patches.hubspot };
        const salesforce = { ...input.salesforce, ...first.patches.salesforce };
        const second = mergeLead({ ...input, base: first.merged, hubspot, salesforce });
        expect(second.patches).toEqual(noPatches);
        expect(second.conflicts).toEqual([]);
        sameLead(second.merged, first.merged, input.fields);
      }),
    );
  });

  it('writes nothing when both sides already hold the same values, in whatever form', () => {
    fc.assert(
      fc.property(anInput, ({ computed: _computed, ...input }: MergeInput) => {
        const hubspot = input.hubspot ?? {};
        const salesforce: Record<string, unknown> = {};
        for (const { canonical, type } of input.fields) {
          const value = (hubspot as Record<string, unknown>)[canonical];
          if (value !== undefined) salesforce[canonical] = canonicalValue(value, type);
        }
        const result = mergeLead({ ...input, hubspot, salesforce: lead(salesforce) });
        expect(result.patches).toEqual(noPatches);
        expect(result.conflicts).toEqual([]);
      }),
    );
  });

  it('is idempotent: the same input gives the same result, and the merged state merges to itself', () => {
    fc.assert(
      fc.property(anInput, (input: MergeInput) => {
        const first = mergeLead(input);
        expect(mergeLead(structuredClone(input))).toEqual(first);
        const settled = mergeLead({
          ...input,
          base: first.merged,
          hubspot: first.merged,
          salesforce: first.merged,
        });
        expect(settled.patches).toEqual(noPatches);
        sameLead(settled.merged, first.merged, input.fields);
      }),
    );
  });
});
