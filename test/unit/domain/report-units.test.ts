import { describe, expect, it } from 'vitest';
import { bar, columns, formatReport } from '../../../src/cli/commands/report-format.ts';
import { DEFAULT_LIFECYCLE_ORDER as lifecycle } from '../../../src/domain/lifecycle.ts';
import { buildReport } from '../../../src/domain/report.ts';
import { clip, formatDuration, percent } from '../../../src/domain/report-units.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

describe('report units', () => {
  it('writes durations with their two largest units', () => {
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(450)).toBe('450ms');
    expect(formatDuration(35_000)).toBe('35s');
    expect(formatDuration(40 * 60_000)).toBe('40m');
    expect(formatDuration(80 * 60_000 + 5_000)).toBe('1h 20m');
    expect(formatDuration(3_600_000 + 5_000)).toBe('1h');
    expect(formatDuration(51 * 3_600_000)).toBe('2d 3h');
  });

  it('writes shares as whole percentages, beyond 100% when a target is beaten', () => {
    expect(percent(null)).toBe('-');
    expect(percent(2 / 3)).toBe('67%');
    expect(percent(1.45)).toBe('145%');
  });

  it('clips typed text and drops control characters', () => {
    expect(clip('No budget', 40)).toBe('No budget');
    expect(clip('\u001b[31mred\u001b[0m', 40)).toBe('[31mred[0m');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('terminal report', () => {
  it('draws bars in proportion, at least one block for any non-zero value', () => {
    expect(bar(10, 10, 30)).toHaveLength(30);
    expect(bar(1, 1000, 30)).toHaveLength(1);
    expect(bar(0, 10)).toBe('');
  });

  it('aligns numbers right and text left', () => {
    expect(
      columns(
        [
          ['lead', '7', 'x'],
          ['opportunity', '120', 'y'],
        ],
        '',
      ),
    ).toEqual(['lead           7  x', 'opportunity  120  y']);
  });

  it('shows one tenant on its own, and several as a total with a per-tenant table', () => {
    const input = {
      lifecycle,
      sla: SlaConfig.parse({}),
      now: new Date('2025-03-16T00:00:00Z'),
    };
    const handedOff = {
      base: { stage: 'rejected', rejectionReason: 'Bad fit', rejectedAt: null },
      timeline: { handoffAt: '2025-03-10T09:00:00Z', feedbackAt: '2025-03-10T09:30:00Z' },
    };
    const one = formatReport(buildReport({ ...input, tenants: [{ tenant: 'acme', leads: [handedOff] }] }));
    expect(one).toMatch(/^Tenant: acme, 1 leads$/m);
    expect(one).toMatch(/^\s+mql \(handoff\)\s+1\s+100%\s+█{30}$/m);
    expect(one).toMatch(/^\s+Bad fit\s+1\s+█{20}$/m);
    expect(one).not.toMatch(/Per tenant/);
    const two = formatReport(
      buildReport({
        ...input,
        tenants: [
          { tenant: 'acme', leads: [handedOff] },
          { tenant: 'globex', leads: [] },
        ],
      }),
    );
    expect(two).toMatch(/^Tenants: all 2, 1 leads$/m);
    expect(two).toMatch(/^\s+globex\s+0\s+0/m);
    expect(two).toMatch(/^\s+all\s+1\s+1/m);
  });
});
