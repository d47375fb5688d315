import type { BusinessHours } from './business-hours-schema.ts';

const DAY_MS = 86_400_000;
/** No working window for this many days in a row: the calendar has none (all holidays); stop looking. */
const MAX_DAYS_SCANNED = 3_700;

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time at `ms` in `timeZone`, as if it were UTC (so offset = result - ms). */
function wallClockMs(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour,
    parts.minute,
    parts.second,
  );
}

/** The instant at which `timeZone` shows the given wall-clock time (the later one across a DST gap). */
function zonedInstant(date: LocalDate, minutes: number, timeZone: string): number {
  const wall = Date.UTC(date.y, date.m - 1, date.d) + minutes * 60_000;
  let guess = wall - (wallClockMs(wall, timeZone) - wall);
  for (let i = 0; i < 2; i++) {
    const offset = wallClockMs(guess, timeZone) - guess;
    const next = wall - offset;
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

function localDate(ms: number, timeZone: string): LocalDate {
  const wall = new Date(wallClockMs(ms, timeZone));
  return { y: wall.getUTCFullYear(), m: wall.getUTCMonth() + 1, d: wall.getUTCDate() };
}

function nextDate(date: LocalDate): LocalDate {
  const next = new Date(Date.UTC(date.y, date.m - 1, date.d) + DAY_MS);
  return { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() };
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (date: LocalDate) => `${date.y}-${pad(date.m)}-${pad(date.d)}`;
const isoWeekday = (date: LocalDate) =>
  ((new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7) + 1;
const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** The working window of one local date as [start, end) epoch milliseconds, or null on a day off. */
export function workingWindow(date: LocalDate, hours: BusinessHours): [number, number] | null {
  if (!hours.days.includes(isoWeekday(date)) || hours.holidays.includes(isoDate(date))) return null;
  return [
    zonedInstant(date, minutesOf(hours.start), hours.timeZone),
    zonedInstant(date, minutesOf(hours.end), hours.timeZone),
  ];
}

/**
 * The instant `durationMs` of working time after `startMs`: time outside the working hours, on days off
 * and on holidays does not count. A start outside working hours counts from the next working moment.
 * Without business hours this is plain addition.
 */
export function addWorkingTime(
  startMs: number,
  durationMs: number,
  hours: BusinessHours | undefined,
): number {
  if (!hours) return startMs + durationMs;
  let remaining = durationMs;
  let date = localDate(startMs, hours.timeZone);
  // Start one day early: a window that began yesterday (local) may still be open in UTC terms.
  date = localDate(Date.UTC(date.y, date.m - 1, date.d) - DAY_MS / 2, 'UTC');
  for (let i = 0; i < MAX_DAYS_SCANNED; i++, date = nextDate(date)) {
    const window = workingWindow(date, hours);
    if (!window) continue;
    const from = Math.max(window[0], startMs);
    if (from >= window[1]) continue;
    const available = window[1] - from;
    if (remaining <= available) return from + remaining;
    remaining -= available;
  }
  throw new RangeError('the business-hours calendar has no working time in the next ten years');
}

/** Working milliseconds between two instants (0 when `toMs` is not after `fromMs`). */
export function workingTimeBetween(fromMs: number, toMs: number, hours: BusinessHours | undefined): number {
  if (toMs <= fromMs) return 0;
  if (!hours) return toMs - fromMs;
  let total = 0;
  let date = localDate(fromMs - DAY_MS / 2, 'UTC');
  for (let i = 0; i < MAX_DAYS_SCANNED; i++, date = nextDate(date)) {
    const window = workingWindow(date, hours);
    if (window) total += Math.max(0, Math.min(window[1], toMs) - Math.max(window[0], fromMs));
    if (Date.UTC(date.y, date.m - 1, date.d) - DAY_MS > toMs) break;
  }
  return total;
}
