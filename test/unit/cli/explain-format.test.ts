import { describe, expect, it } from 'vitest';
import { entryRow, formatExplanation } from '../../../src/cli/commands/explain-format.ts';
import type { TenantExplanation } from '../../../src/server/explain-lookup.ts';

const link = {
  leadKey: 'lb_1',
  email: 'ann@acme.com',
  hubspot: '51',
  salesforceLead: '00Q1',
  salesforceContact: null,
  createdAt: '2026-01-05T10:00:00.000Z',
  updatedAt: '2026-01-05T10:00:00.000Z',
  history: [],
} as unknown as TenantExplanation['link'];

describe('explain output', () => {
  it('prints an explicit move as who and why, never [object Object]', () => {
    const row = entryRow({
      type: 'decision',
      at: '2026-01-05T10:20:00.000Z',
      rule: 'explicit_reject',
      from: 'mql',
      to: 'rejected',
      by: 'salesforce',
      move: { actor: '005REP', reason: 'No budget' },
    });
    expect(row.detail).toContain('explicit move by 005REP: No budget');
    expect(row.detail).not.toContain('[object Object]');
  });

  it('says a Salesforce Lead that already existed was linked by email, with its duplicates', () => {
    const row = entryRow({
      type: 'record_linked',
      at: '2026-01-05T10:20:00.000Z',
      system: 'salesforce',
      recordId: '00Q1',
      objectType: 'Lead',
      by: 'email',
      duplicates: ['00Q2'],
    });
    expect(row).toMatchObject({ what: 'linked', where: 'salesforce' });
    expect(row.detail).toBe(
      "00Q1: an existing Lead with the lead's email, linked instead of creating one; duplicates (never written to): 00Q2",
    );
  });

  it('shows each patched field with old -> new and the rule, conflicts, and the score breakdown', () => {
    expect(
      entryRow({
        type: 'patch_written',
        at: '2026-01-05T10:20:00.000Z',
        system: 'hubspot',
        recordId: '51',
        fields: ['stage', 'phone'],
        changes: [
          { field: 'stage', old: 'mql', new: 'rejected', rule: 'computed' },
          { field: 'phone', old: '1', new: '2', rule: 'conflict: tie_break' },
        ],
        created: false,
      }).detail,
    ).toBe('51: stage "mql" -> "rejected" (computed); phone "1" -> "2" (conflict: tie_break)');
    expect(
      entryRow({
        type: 'conflict',
        at: '2026-01-05T10:20:00.000Z',
        field: 'phone',
        base: '0',
        hubspot: '1',
        salesforce: '2',
        ownership: 'two_way',
        winner: 'salesforce',
        rule: 'tie_break',
      }).detail,
    ).toContain('salesforce wins by two_way (tie_break)');
    expect(
      entryRow({
        type: 'score',
        at: '2026-01-05T10:20:00.000Z',
        from: 30,
        to: 60,
        fired: [
          { id: 'vp', points: 30 },
          { id: 'phone', points: 30 },
        ],
      }).detail,
    ).toBe('score 60 (vp +30, phone +30) (was 30)');
  });

  it('shows the ledger: transitions with cause, actor, reason and source time; refusals with their rule', () => {
    const text = formatExplanation({
      tenant: 'acme',
      link,
      entries: [],
      unreadable: [],
      ledger: [
        {
          type: 'transition',
          at: '2026-01-05T10:21:00.000Z',
          sourceTime: '2026-01-05T10:20:00.000Z',
          episode: 2,
          cause: 'rep_status',
          actor: '005REP',
          from: 'mql',
          to: 'rejected',
          rule: 'explicit_reject',
          reason: null,
        },
        {
          type: 'refusal',
          at: '2026-01-05T10:31:00.000Z',
          sourceTime: '2026-01-05T10:30:00.000Z',
          episode: 2,
          cause: 'marketing_stage',
          actor: '7000001',
          from: 'rejected',
          to: 'mql',
          rule: 'move_not_allowed',
          reason: null,
          detail: 'a rejected lead is recycled first, not moved to mql',
        },
      ],
    } as TenantExplanation);
    expect(text).toContain(
      'mql -> rejected  rep status change, rule explicit_reject: awaiting feedback; by 005REP at 2026-01-05 10:20:00 UTC; episode 2',
    );
    expect(text).toContain(
      'refused rejected -> mql  marketing stage change, rule move_not_allowed: a rejected lead is recycled first',
    );
  });
});
