/** Small arithmetic of the funnel report, kept apart so each piece is tested on its own. */

export const NO_REASON = 'no reason given';

/** part / whole, null when the whole is 0. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export function average(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** The value below which `share` (0..1) of the values fall (nearest rank). */
export function percentile(values: readonly number[], share: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(share * sorted.length)));
  return sorted[rank - 1] ?? null;
}

/**
 * How a reason sales typed is grouped: trimmed, inner whitespace collapsed, compared without case, so
 * "No budget", "no budget " and "NO  BUDGET" are one reason. Blank is "no reason given".
 */
export function reasonKey(reason: string | null | undefined): { key: string; label: string } {
  const label = (reason ?? '').trim().replace(/\s+/g, ' ');
  if (label === '') return { key: NO_REASON, label: NO_REASON };
  return { key: label.toLowerCase(), label };
}

/** Counts reasons by their key; the label shown is the first spelling seen. Most frequent first. */
export function countReasons(
  reasons: Iterable<string | null | undefined>,
): Array<{ reason: string; count: number }> {
  const counts = new Map<string, { reason: string; count: number }>();
  for (const raw of reasons) {
    const { key, label } = reasonKey(raw);
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { reason: label, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** The UTC calendar month of `now`: its first instant, the next month's, and `YYYY-MM`. */
export function monthOf(now: Date): { startMs: number; endMs: number; label: string } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return {
    startMs: Date.UTC(year, month, 1),
    endMs: Date.UTC(year, month + 1, 1),
    label: `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`,
  };
}
