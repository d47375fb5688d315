/** How the report's figures are written for people, the same in the terminal and on the page. */

/** `1h 20m`, `40m`, `35s`, `2d 3h`: the two largest units, enough to read a follow-up time at a glance. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000) * 1_000;
  for (const [unit, size] of units) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (parts.length === 0 && amount === 0) continue;
    parts.push(amount > 0 ? `${amount}${unit}` : '');
    if (parts.length === 2) break;
  }
  return parts.filter(Boolean).join(' ') || '0s';
}

/** A share as a whole percentage; above 100% when a target is beaten. */
export function percent(share: number | null): string {
  return share === null ? '-' : `${Math.round(share * 100)}%`;
}

/**
 * Text people typed (a rejection reason), cut to `max` characters with an ellipsis and stripped of
 * control characters, so a reason cannot break the columns or send escape codes to a terminal.
 */
export function clip(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
