// The bench's arithmetic, kept pure so `test/unit/bench/figures.test.ts` can check the instrument itself:
// spreads over repeated runs, ratios to a bound or a baseline, target checks and the exit code.

/** One repetition of a figure: what LeadBridge did and the bound or baseline measured in the same run. */
export interface Sample {
  ours: number;
  /** The bound (from the APIs' caps or the target itself) or a baseline measured in the same run. */
  reference: number;
}

/**
 * What a figure must meet. `ratio`: ours / reference, compared with `limit` (e.g. calls <= 1.1x the
 * batch-cap minimum, throughput >= 0.9x the baseline). `value`: ours itself against `limit` (a latency, a
 * count of 429s, bytes per lead), the reference then being that limit.
 */
export interface Target {
  of: 'ratio' | 'value';
  op: '<=' | '>=';
  limit: number;
}

export interface FigureSpec {
  id: string;
  title: string;
  /** Unit of `ours` and `reference` (calls, s, req/s, bytes, MB, count). */
  unit: string;
  /** What the reference is: "bound: ceil(rows / cap)", "baseline: bare express + addBulk". */
  reference: string;
  target: Target;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface FigureResult extends FigureSpec {
  ours: Spread;
  referenceValue: Spread;
  /** ours / reference per run; its median is the headline. */
  ratio: Spread;
  pass: boolean;
  /** Why the figure has no value (its scenario failed); such a figure fails. */
  error?: string;
  note?: string;
  samples: Sample[];
}

/** Median, min and max of `values`; NaN everywhere when there are none. */
export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: values.length };
}

/** ours / reference; a zero reference gives 0 for zero ours (nothing needed, nothing done), else Infinity. */
export function ratio(ours: number, reference: number): number {
  if (reference === 0) return ours === 0 ? 0 : Number.POSITIVE_INFINITY;
  return ours / reference;
}

/** p-th percentile (0-100) by nearest rank; NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** True when `value` meets the target; NaN never does. */
export function meets(target: Target, value: number): boolean {
  if (Number.isNaN(value)) return false;
  return target.op === '<=' ? value <= target.limit : value >= target.limit;
}

/**
 * The figure over its repeated runs: the median ratio (or median value) decides PASS/FAIL, so one noisy
 * run on a shared machine neither hides nor invents a miss; min-max show how noisy it was.
 */
export function evaluate(
  spec: FigureSpec,
  samples: Sample[],
  extra: { error?: string; note?: string } = {},
): FigureResult {
  const ours = spread(samples.map((sample) => sample.ours));
  const ratios = spread(samples.map((sample) => ratio(sample.ours, sample.reference)));
  const decided = spec.target.of === 'ratio' ? ratios.median : ours.median;
  return {
    ...spec,
    ours,
    referenceValue: spread(samples.map((sample) => sample.reference)),
    ratio: ratios,
    pass: extra.error === undefined && samples.length > 0 && meets(spec.target, decided),
    ...(extra.error !== undefined ? { error: extra.error } : {}),
    ...(extra.note !== undefined ? { note: extra.note } : {}),
    samples,
  };
}

/** 0 when every figure met its target, 1 otherwise (and when there are none: nothing was measured). */
export function exitCode(results: FigureResult[]): number {
  return results.length > 0 && results.every((result) => result.pass) ? 0 : 1;
}

function number(value: number): string {
  if (Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return 'inf';
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function spreadText(value: Spread): string {
  if (value.runs <= 1 || value.min === value.max) return number(value.median);
  return `${number(value.median)} (${number(value.min)}-${number(value.max)})`;
}

export function targetText(target: Target): string {
  return `${target.of === 'ratio' ? 'ratio' : 'value'} ${target.op} ${target.limit}`;
}

/** The table `npm run bench` prints: medians with min-max over runs, the target and PASS/FAIL. */
export function formatTable(results: FigureResult[]): string {
  const rows = results.map((result) => [
    result.title,
    result.error ? 'error' : `${spreadText(result.ours)} ${result.unit}`,
    result.error ? '-' : `${spreadText(result.referenceValue)} (${result.reference})`,
    result.error ? '-' : spreadText(result.ratio),
    String(result.ours.runs),
    targetText(result.target),
    result.pass ? 'PASS' : 'FAIL',
  ]);
  const header = ['figure', 'ours', 'bound / baseline', 'ratio', 'runs', 'target', ''];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
