import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION_PATTERN = /^(\d{1,15})(ms|s|m|h|d|w)$/;
/** Longest duration accepted: 1,000 years, far beyond any SLA or window, well inside what a Date holds. */
export const MAX_DURATION_MS = 1_000 * 365.25 * 86_400_000;

/** Milliseconds of a duration's text, or null when it is not one. */
function textMs(text: string): number | null {
  const match = DURATION_PATTERN.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : null;
}

/** A duration written as a whole number and a unit: `90s`, `30m`, `1h`, `2d`, `1w`. */
export const Duration = z
  .string()
  .regex(DURATION_PATTERN, 'a duration is a whole number and a unit (ms, s, m, h, d, w), e.g. "1h" or "48h"')
  .refine((text) => (textMs(text) ?? 0) <= MAX_DURATION_MS, 'a duration is at most 1000 years');
export type Duration = z.infer<typeof Duration>;

/** Milliseconds in a duration string already validated by `Duration`. */
export function durationMs(duration: Duration): number {
  const ms = textMs(duration);
  if (ms === null) throw new Error(`not a duration: ${duration}`);
  return ms;
}
