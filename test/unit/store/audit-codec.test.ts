import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAuditEntry, encodeAuditEntry } from '../../../src/store/audit-codec.ts';
import type { AuditEntry } from '../../../src/store/audit-entry.ts';

const AT = '2026-12-01T03:33:44.000Z';

/** One entry of every kind, as the engine writes them (jobs/reconcile/audit-entries.ts and the notifier). */
const entries: AuditEntry[] = [
  {
    type: 'change_seen',
    at: AT,
    system: 'hubspot',
    objectId: '51000000672',
    source: 'manual',
    occurredAt: '2026-10-21T15:30:53.944Z',
  },
  {
    type: 'change_seen',
    at: AT,
    system: 'salesforce',
    objectId: '00Q5g000000009HEAQ',
    source: 'webhook',
    kind: 'updated',
    // Not what toISOString gives back: kept as text, never rewritten.
    occurredAt: '2026-10-21T15:30:53Z',
  },
  {
    type: 'decision',
    at: AT,
    rule: 'handoff',
    from: 'lead',
    to: 'mql',
    by: 'hubspot',
    explanation: 'lead -> mql (handoff, marketing_stage by hubspot)',
    score: {
      score: 50,
      fired: [
        { id: 'has-company', points: 20 },
        { id: 'has-phone', points: 30 },
      ],
    },
  },
  {
    type: 'decision',
    at: AT,
    rule: 'explicit_rejected',
    from: null,
    to: 'rejected',
    by: 'salesforce',
    explanation: 'new -> rejected (explicit_rejected, rep_status by 0055g00000AbCdE): Budget',
    move: { actor: '0055g00000AbCdE', reason: 'Budget' },
  },
  {
    type: 'decision',
    at: AT,
    rule: 'handoff_blocked',
    from: 'lead',
    to: 'lead',
    by: 'leadbridge',
    explanation: 'handoff gate: company is missing',
    score: { score: 50, fired: [] },
  },
  {
    type: 'patch_written',
    at: AT,
    system: 'salesforce',
    recordId: '00Q5g000000009HEAQ',
    fields: ['email', 'company', 'score', 'stage', 'slaBreached'],
    changes: [
      { field: 'email', new: 'samuel.garcia712@helios-energy.de', rule: 'two_way' },
      { field: 'company', new: 'Helios Energy', rule: 'prefer_salesforce_unless_blank' },
      { field: 'score', old: null, new: 50, rule: 'computed' },
      { field: 'stage', old: 'sql', new: 'mql', rule: 'conflict: prefer_hubspot' },
      { field: 'slaBreached', old: false, new: true, rule: 'computed' },
    ],
    created: true,
  },
  {
    type: 'patch_written',
    at: AT,
    system: 'hubspot',
    recordId: null,
    // Fields that differ from the changes' (an older writer): kept as they are.
    fields: ['stage', 'score'],
    changes: [{ field: 'score', new: 3, rule: 'custom_rule' }],
    created: false,
  },
  { type: 'patch_written', at: AT, system: 'hubspot', recordId: '1', fields: ['stage'], created: false },
  {
    type: 'conflict',
    at: AT,
    field: 'phone',
    base: '+1 415',
    hubspot: '+1 416',
    salesforce: null,
    ownership: 'two_way',
    winner: 'hubspot',
    rule: 'latest',
  },
  { type: 'score', at: AT, from: null, to: 0, fired: [] },
  { type: 'score', at: AT, from: 20, to: 50, fired: [{ id: 'has-phone', points: 30 }] },
  {
    type: 'record_error',
    at: AT,
    system: 'salesforce',
    recordId: null,
    code: 'REQUIRED_FIELD_MISSING',
    message: 'Required fields are missing: [Company]',
    retryable: false,
  },
  {
    type: 'record_deleted',
    at: AT,
    system: 'hubspot',
    recordId: '51',
    after: 'salesforce',
    policy: 'propagate',
    error: 'not found',
  },
  {
    type: 'record_linked',
    at: AT,
    system: 'salesforce',
    recordId: '00Q5g0000000001EAA',
    objectType: 'Lead',
    by: 'email',
    duplicates: ['00Q5g0000000002EAA'],
  },
  {
    type: 'notification',
    at: AT,
    event: 'lead_handed_off',
    channel: 'slack',
    outcome: 'sent',
    key: 'acme:lb_1:lead_handed_off:1',
    attempt: 2,
    detail: 'ok',
  },
];

describe('audit codec', () => {
  it.each(entries.map((entry) => [entry.type, entry] as const))(
    'gives back the %s entry it stored',
    (_type, entry) => {
      expect(decodeAuditEntry(encodeAuditEntry(entry))).toEqual({ entry });
    },
  );

  it('reads entries stored in the earlier long form', () => {
    for (const entry of entries) expect(decodeAuditEntry(JSON.stringify(entry))).toEqual({ entry });
  });

  it('stores the backfill entries in less than half the bytes of the long form', () => {
    const patch = entries[5]!;
    const long = JSON.stringify(patch).length;
    const short = encodeAuditEntry(patch).length;
    expect(short).toBeLessThan(long / 2);
    const all = entries.reduce((sum, entry) => sum + JSON.stringify(entry).length, 0);
    const compact = entries.reduce((sum, entry) => sum + encodeAuditEntry(entry).length, 0);
    expect(compact).toBeLessThan(all * 0.6);
  });

  it('names what is wrong with an element that is not an entry', () => {
    expect(decodeAuditEntry('{nope')).toEqual({ reason: 'not JSON' });
    expect(decodeAuditEntry('{"y":"p","a":1}')).toHaveProperty('reason');
    expect(decodeAuditEntry('[1]')).toHaveProperty('reason');
  });

  it('refuses to store an entry that is not one', () => {
    expect(() => encodeAuditEntry({ type: 'score', at: AT } as unknown as AuditEntry)).toThrow();
  });

  it('round-trips any patch and decision', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const name = fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,12}$/);
    const rule = fc.oneof(
      fc.constantFrom('computed', 'two_way', 'hubspot', 'ownership', 'conflict: latest'),
      fc.string(),
    );
    const instant = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString());
    const change = fc.record(
      { field: name, old: value, new: value, rule },
      { requiredKeys: ['field', 'new', 'rule'] },
    );
    const patch = fc
      .record({
        at: instant,
        system: fc.constantFrom('hubspot' as const, 'salesforce' as const),
        recordId: fc.option(fc.string(), { nil: null }),
        changes: fc.array(change, { maxLength: 6 }),
        created: fc.boolean(),
        sameFields: fc.boolean(),
      })
      .map(({ sameFields, ...rest }): AuditEntry => ({
        type: 'patch_written',
        ...rest,
        fields: sameFields ? rest.changes.map((c) => c.field) : rest.changes.map((c) => `${c.field}x`),
      }));
    const stage = fc.option(fc.constantFrom('lead', 'mql', 'sql', 'rejected'), { nil: null });
    const decision = fc
      .record({
        at: instant,
        rule: fc.constantFrom('handoff', 'forward', 'explicit_rejected'),
        from: stage,
        to: stage,
        by: fc.constantFrom('hubspot', 'salesforce', 'leadbridge'),
        tail: fc.string(),
        derived: fc.boolean(),
      })
      .map(({ tail, derived, ...rest }): AuditEntry => ({
        type: 'decision',
        ...rest,
        explanation: derived ? `${rest.from ?? 'new'} -> ${rest.to ?? 'none'} (${rest.rule}, ${tail}` : tail,
      }));
    fc.assert(
      fc.property(fc.oneof(patch, decision), (entry) => {
        expect(decodeAuditEntry(encodeAuditEntry(entry))).toEqual({ entry });
      }),
    );
  });
});
