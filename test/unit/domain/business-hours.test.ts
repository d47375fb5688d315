import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessHours } from '../../../src/domain/business-hours-schema.ts';
import { addWorkingTime, workingTimeBetween } from '../../../src/domain/business-hours.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('business hours', () => {
  const office = BusinessHours.parse({
    timeZone: 'UTC',
    start: '09:00',
    end: '17:00',
    holidays: ['2026-12-25'],
  });

  it('is plain addition without business hours', () => {
    expect(addWorkingTime(at('2026-12-04T16:30:00Z'), HOUR, undefined)).toBe(at('2026-12-04T17:30:00Z'));
  });

  it('counts one business hour across the weekend (Friday 16:30 -> Monday 09:30)', () => {
    expect(iso(addWorkingTime(at('2026-12-04T16:30:00Z'), HOUR, office))).toBe('2026-12-07T09:30:00.000Z');
  });

  it('starts counting at opening time when handed off at night, and skips holidays', () => {
    expect(iso(addWorkingTime(at('2026-12-08T03:00:00Z'), HOUR, office))).toBe('2026-12-08T10:00:00.000Z');
    // Thursday 24 Dec 16:00 + 2h: one hour on the 24th, the 25th is a holiday, then Saturday and Sunday.
    expect(iso(addWorkingTime(at('2026-12-24T16:00:00Z'), 2 * HOUR, office))).toBe(
      '2026-12-28T10:00:00.000Z',
    );
  });

  it('follows the tenant time zone, across a daylight-saving change', () => {
    const berlin = BusinessHours.parse({ timeZone: 'Europe/Berlin' });
    // 09:00 in Berlin is 08:00Z in winter and 07:00Z in summer (DST began 29 March 2026).
    expect(iso(addWorkingTime(at('2026-03-27T15:30:00Z'), HOUR, berlin))).toBe('2026-03-30T07:30:00.000Z');
    expect(iso(addWorkingTime(at('2026-01-12T06:00:00Z'), 30 * 60_000, berlin))).toBe(
      '2026-01-12T08:30:00.000Z',
    );
  });

  it('refuses a calendar without working time and bad values', () => {
    expect(BusinessHours.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(BusinessHours.safeParse({ start: '18:00', end: '09:00' }).success).toBe(false);
    expect(BusinessHours.safeParse({ days: [] }).success).toBe(false);
  });

  it('working time between a start and the due instant is the duration asked for', () => {
    const zones = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata');
    fc.assert(
      fc.property(
        zones,
        fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') }),
        fc.integer({ min: 1, max: 40 * HOUR }),
        (timeZone, start, duration) => {
          const hours = BusinessHours.parse({ timeZone, holidays: ['2026-05-01', '2026-12-25'] });
          const due = addWorkingTime(start, duration, hours);
          expect(due).toBeGreaterThanOrEqual(start + duration);
          expect(workingTimeBetween(start, due, hours)).toBe(duration);
        },
      ),
      { numRuns: 200 },
    );
  });
});
