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

export function percent(share: number | null): string {
  return share === null ? '-' : `${Math.round(share * 100)}%`;
}
