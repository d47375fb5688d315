import type { HandoffConfig } from './handoff-schema.ts';
import type { Lead } from './lead.ts';
import type { ScoringConfig } from './scoring-schema.ts';
import { isBlank } from './values.ts';

export interface HandoffResult {
  pass: boolean;
  /** Human-readable, one per failed condition: "missing: phone, company", "score 35 is below ...". */
  reasons: string[];
  /** Required fields that are blank, in the configured order. */
  missing: string[];
  score: number;
  threshold: number;
}

/**
 * The handoff gate of the SLA: a lead goes to sales only at or above the MQL threshold and carrying every
 * required field. Blank strings count as missing. Returns every reason at once, so the lead's owner can fix
 * them in one go.
 */
export function evaluateHandoff(
  lead: Partial<Lead>,
  score: number,
  config: Pick<HandoffConfig, 'requiredFields'> & Pick<ScoringConfig, 'mqlThreshold'>,
): HandoffResult {
  const values = lead as Record<string, unknown>;
  const missing = config.requiredFields.filter((field) => isBlank(values[field]));
  const reasons: string[] = [];
  if (score < config.mqlThreshold) {
    reasons.push(`score ${score} is below the MQL threshold ${config.mqlThreshold}`);
  }
  if (missing.length > 0) reasons.push(`missing: ${missing.join(', ')}`);
  return { pass: reasons.length === 0, reasons, missing, score, threshold: config.mqlThreshold };
}
