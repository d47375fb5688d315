/**
 * Salesforce writes date-times as `2024-05-01T12:00:00.000+0000`, and SystemModstamp has whole seconds.
 */
export function sfDateTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}.000+0000`;
}

/** Milliseconds of a Salesforce or ISO date-time, or NaN. */
export function parseSfDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** A date (`ConvertedDate`), `2024-05-01`. */
export function sfDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
