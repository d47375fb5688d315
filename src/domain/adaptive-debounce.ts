/**
 * Adaptive debounce: how long a changed record waits before it is reconciled. The first change of a
 * quiet record goes out at once; a record that keeps changing is coalesced, its wait growing with its
 * recent change count up to the configured debounce. Pure: the caller keeps the heat and passes the clock.
 */

/** How often a record changed lately: a count that halves every half-life, as of `atMs` (epoch ms). */
export interface ChangeHeat {
  count: number;
  atMs: number;
}

/** The heat after one more change at `nowMs`: the old count decayed by the elapsed half-lives, plus one. */
export function heatAfterChange(previous: ChangeHeat | null, nowMs: number, halfLifeMs: number): ChangeHeat {
  if (!previous) return { count: 1, atMs: nowMs };
  const elapsed = Math.max(0, nowMs - previous.atMs);
  const decayed = halfLifeMs > 0 ? previous.count * 2 ** (-elapsed / halfLifeMs) : 0;
  return { count: decayed + 1, atMs: Math.max(nowMs, previous.atMs) };
}

/**
 * Milliseconds a change waits, given the record's heat after it and the configured debounce (the cap):
 * 0 for a record that was quiet (heat below 1.5, i.e. no other change within about a half-life), then
 * an eighth of the cap doubling with each further recent change: 2 -> cap/4, 3 -> cap/2, 4+ -> cap.
 */
export function debounceDelayMs(heat: number, maxMs: number): number {
  if (!(maxMs > 0) || !(heat >= 1.5)) return 0;
  const delay = (maxMs / 8) * 2 ** (heat - 1);
  return Math.min(maxMs, Math.round(delay));
}

/** Half-life of a record's heat for a configured debounce: half of it (1 s for the default 2 s). */
export function heatHalfLifeMs(maxMs: number): number {
  return Math.max(1, Math.round(maxMs / 2));
}

/**
 * When a routine change is reconciled, as a delay from `nowMs`: after its own (adaptive) debounce, and,
 * while the tenant is busy (a batch started within two lingers), at the next tick of a fixed grid of
 * `lingerMs` (multiples of it since the epoch, the same for every worker) at or after that, so the
 * changes of a steady stream meet in one batch per tick instead of one batch per change.
 */
export function batchDelayMs(
  nowMs: number,
  debounceMs: number,
  lastBatchAt: number | null,
  lingerMs: number,
): number {
  if (lastBatchAt === null || lingerMs <= 0 || nowMs - lastBatchAt > 2 * lingerMs) return debounceMs;
  return Math.ceil((nowMs + debounceMs) / lingerMs) * lingerMs - nowMs;
}
