import { durationMs } from './duration.ts';
import type { FieldValue, Lead } from './lead.ts';
import type { ScoringConfig, ScoringRule } from './scoring-schema.ts';
import { isBlank, parseInstant, toBoolean, toNumber } from './values.ts';

export type ScoreCategory = ScoringRule['category'];

export interface FiredRule {
  id: string;
  category: ScoreCategory;
  field: string;
  op: ScoringRule['op'];
  points: number;
  /** The value the rule read, for `explain`. */
  value: FieldValue | undefined;
  description?: string;
}

/** A cap that lowered a sum: `before` is what the rules added up to, `after` what counts. */
export interface CapAdjustment {
  scope: ScoreCategory | 'total';
  cap: number;
  before: number;
  after: number;
}

export interface ScoreResult {
  score: number;
  /** Fit points after the fit cap. */
  fit: number;
  /** Engagement points after the engagement cap. */
  engagement: number;
  fired: FiredRule[];
  /** Only the caps that changed something; `score` = sum of fired points + sum of (after - before). */
  capping: CapAdjustment[];
}

function text(value: unknown): string | null {
  if (isBlank(value)) return null;
  return (typeof value === 'string' ? value : String(value)).trim().toLowerCase();
}

/** Case-insensitive for text, numeric for numbers and numeric strings, lenient for booleans. */
export function looselyEqual(actual: unknown, expected: FieldValue): boolean {
  if (expected === null) return isBlank(actual);
  if (isBlank(actual)) return false;
  if (typeof expected === 'boolean') return toBoolean(actual) === expected;
  const actualNumber = toNumber(actual);
  const expectedNumber = toNumber(expected);
  if (actualNumber !== null && expectedNumber !== null) return actualNumber === expectedNumber;
  return text(actual) === text(expected);
}

/** The domain of an email address or a URL/host name, lower-case, without `www.`. */
export function domainOf(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  const at = raw.lastIndexOf('@');
  const host = at >= 0 ? raw.slice(at + 1) : raw.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#:]/)[0];
  const domain = (host ?? '').replace(/^www\./, '').replace(/\.$/, '');
  return domain === '' ? null : domain;
}

function inDomains(value: unknown, domains: readonly string[]): boolean {
  const domain = domainOf(value);
  if (domain === null) return false;
  return domains.some((listed) => {
    const wanted = domainOf(listed.replace(/^@/, ''));
    return wanted !== null && (domain === wanted || domain.endsWith(`.${wanted}`));
  });
}

/**
 * Whether one rule fires for a lead at `now`. `recent_within` counts an instant up to `within` ago; an
 * instant in the future (clock skew between systems) counts as recent.
 */
export function ruleFires(rule: ScoringRule, lead: Partial<Lead>, now: Date): boolean {
  const value: unknown = (lead as Record<string, unknown>)[rule.field];
  switch (rule.op) {
    case 'equals':
      return looselyEqual(value, rule.value);
    case 'in':
      return rule.values.some((candidate) => looselyEqual(value, candidate));
    case 'contains': {
      const haystack = text(value);
      return haystack !== null && haystack.includes(rule.value.trim().toLowerCase());
    }
    case 'domain_in':
      return inDomains(value, rule.domains);
    case 'range': {
      const number = toNumber(value);
      if (number === null) return false;
      return (rule.min === undefined || number >= rule.min) && (rule.max === undefined || number <= rule.max);
    }
    case 'exists':
      return !isBlank(value);
    case 'recent_within': {
      const at = parseInstant(value);
      return at !== null && now.getTime() - at <= durationMs(rule.within);
    }
  }
}

function capped(scope: CapAdjustment['scope'], sum: number, cap: number | undefined, log: CapAdjustment[]) {
  if (cap === undefined || sum <= cap) return sum;
  log.push({ scope, cap, before: sum, after: cap });
  return cap;
}

/**
 * Scores a lead: every rule that fires adds its points to its category; each category is held to its cap,
 * then the total to the total cap. Caps only limit from above, so negative points always count.
 */
export function scoreLead(
  lead: Partial<Lead>,
  scoring: Pick<ScoringConfig, 'rules' | 'caps'>,
  now: Date,
): ScoreResult {
  const fired: FiredRule[] = [];
  const sums: Record<ScoreCategory, number> = { fit: 0, engagement: 0 };
  for (const rule of scoring.rules) {
    if (!ruleFires(rule, lead, now)) continue;
    const value = (lead as Record<string, FieldValue | undefined>)[rule.field];
    fired.push({
      id: rule.id,
      category: rule.category,
      field: rule.field,
      op: rule.op,
      points: rule.points,
      value,
      ...(rule.description === undefined ? {} : { description: rule.description }),
    });
    sums[rule.category] += rule.points;
  }
  const capping: CapAdjustment[] = [];
  const fit = capped('fit', sums.fit, scoring.caps.fit, capping);
  const engagement = capped('engagement', sums.engagement, scoring.caps.engagement, capping);
  const score = capped('total', fit + engagement, scoring.caps.total, capping);
  return { score, fit, engagement, fired, capping };
}

/** True when a score makes a lead marketing-qualified. */
export function isMarketingQualified(score: number, scoring: Pick<ScoringConfig, 'mqlThreshold'>): boolean {
  return score >= scoring.mqlThreshold;
}
