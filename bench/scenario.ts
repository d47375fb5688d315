/** One measured scenario: what was done, what it cost, and the bound or baseline it is compared with. */
export interface ScenarioResult {
  name: string;
  records: number;
  /** API calls we made (or milliseconds, for time scenarios: see `unit`). */
  measured: number;
  /** The best possible (a bound from the API's own caps) or a baseline measured in the same run. */
  reference: number;
  referenceLabel: string;
  unit: 'calls' | 'ms';
  note?: string;
}

/** `ours / reference`: 1.00 means at the bound; below 1 beats the baseline. */
export function ratio(result: ScenarioResult): number {
  return result.reference === 0 ? Number.NaN : result.measured / result.reference;
}

export function formatTable(results: ScenarioResult[]): string {
  const rows = results.map((result) => [
    result.name,
    String(result.records),
    `${result.measured.toFixed(result.unit === 'ms' ? 0 : 0)} ${result.unit}`,
    `${result.reference.toFixed(0)} ${result.unit} (${result.referenceLabel})`,
    ratio(result).toFixed(3),
    result.unit === 'calls' ? (result.measured / result.records).toFixed(4) : '-',
  ]);
  const header = ['scenario', 'records', 'ours', 'reference', 'ratio', 'calls/lead'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
