import type { FieldValue } from '../../src/domain/lead.ts';
import { COMPUTED_FIELDS } from '../../src/domain/system-fields.ts';
import { toNumber } from '../../src/domain/values.ts';
import type { AuditEntry } from '../../src/store/audit-entry.ts';
import type { StoredDecision } from '../../src/store/sync-state.ts';
import type { RecordFailure, RecordRef } from '../engine.ts';
import type { LeadPlan, LeadWrites, SeenRef } from './types.ts';

/** The rule name of a decision entry for a lead that qualified but was held back by the handoff gate. */
export const HANDOFF_BLOCKED_RULE = 'handoff_blocked';

/** What the audit trail records about refs: where the change was seen and when. */
export function changeSeenEntries(refs: RecordRef[], plan: LeadPlan | undefined, at: string): AuditEntry[] {
  return refs.map((ref) => {
    const seen = ref as SeenRef;
    const record = ref.system === 'hubspot' ? plan?.sides.hubspot : plan?.sides.salesforce;
    return {
      type: 'change_seen',
      at,
      system: ref.system,
      objectId: ref.id,
      source: seen.source ?? 'manual',
      ...(seen.kind ? { kind: seen.kind } : {}),
      occurredAt: seen.occurredAt ?? record?.modifiedAt ?? at,
    };
  });
}

/**
 * The gate's verdict as a decision, when the lead qualified by score but the gate held it back: stored
 * as the lead's last decision, so `explain` shows why it is not in Salesforce.
 */
export function handoffBlockedDecision(plan: LeadPlan): StoredDecision | null {
  const blocked = plan.result.events.find((event) => event.type === 'handoff_blocked');
  if (!blocked) return null;
  return {
    from: plan.result.stage,
    proposed: 'handoff',
    stage: plan.result.stage,
    changed: false,
    rule: HANDOFF_BLOCKED_RULE,
    by: 'leadbridge',
    explanation: `handoff gate: ${blocked.reasons.join('; ')}`,
  };
}

/**
 * Decision entries for a pass: every stage change with the rule that fired and the score behind it, and
 * a handoff refusal unless the previous pass already recorded the same one (so an unchanged blocked lead
 * does not add an entry on every pass).
 */
export function decisionEntries(plan: LeadPlan, at: string): AuditEntry[] {
  const { result } = plan;
  const score = {
    score: result.score.score,
    fired: result.score.fired.map((rule) => ({ id: rule.id, points: rule.points })),
  };
  const entries: AuditEntry[] = result.decisions
    .filter((decision) => decision.changed)
    .map((decision) => ({
      type: 'decision',
      at,
      rule: decision.rule,
      from: decision.from,
      to: decision.stage,
      by: decision.by,
      explanation: decision.explanation,
      ...(decision.move ? { move: decision.move } : {}),
      score,
    }));
  const blocked = handoffBlockedDecision(plan);
  const previous = plan.state.state?.lastDecision;
  const repeated = previous?.rule === HANDOFF_BLOCKED_RULE && previous.explanation === blocked?.explanation;
  if (blocked && !repeated) {
    entries.push({
      type: 'decision',
      at,
      rule: blocked.rule,
      from: blocked.from,
      to: blocked.stage,
      by: blocked.by,
      explanation: blocked.explanation,
      score,
    });
  }
  return entries;
}

const COMPUTED = new Set(Object.keys(COMPUTED_FIELDS));

/** What decided a patched field's value: LeadBridge computed it, a conflict rule, or the field's ownership. */
function ruleFor(plan: LeadPlan | undefined, field: string): string {
  if (COMPUTED.has(field)) return 'computed';
  const conflict = plan?.result.merge.conflicts.find((item) => item.field === field);
  if (conflict) return `conflict: ${conflict.rule}`;
  return plan?.fields?.find((mapping) => mapping.canonical === field)?.ownership ?? 'ownership';
}

/** Patches written, each field with the record's value before, the value written, and the rule. */
export function patchEntries(writes: LeadWrites | undefined, at: string, plan?: LeadPlan): AuditEntry[] {
  if (!writes) return [];
  return (['salesforce', 'hubspot'] as const).flatMap((system): AuditEntry[] => {
    const write = writes[system];
    if (!write?.outcome.ok) return [];
    const before = (plan?.sides[system]?.lead ?? {}) as Record<string, FieldValue | undefined>;
    const changes = Object.entries(write.patch.fields).map(([field, value]) => ({
      field,
      ...(before[field] !== undefined ? { old: before[field] } : {}),
      new: (value ?? null) as FieldValue,
      rule: ruleFor(plan, field),
    }));
    return [
      {
        type: 'patch_written',
        at,
        system,
        recordId: write.outcome.id,
        fields: Object.keys(write.patch.fields),
        changes,
        created: write.outcome.created,
      },
    ];
  });
}

/** Field conflicts the merge settled (recorded, not only counted), and a score change with its breakdown. */
export function mergeEntries(plan: LeadPlan, at: string): AuditEntry[] {
  const { result } = plan;
  const entries: AuditEntry[] = result.merge.conflicts.map((conflict) => ({
    type: 'conflict',
    at,
    field: conflict.field,
    base: conflict.base,
    hubspot: conflict.hubspot,
    salesforce: conflict.salesforce,
    ownership: conflict.ownership,
    winner: conflict.winner,
    rule: conflict.rule,
  }));
  const previous = toNumber(plan.state.state?.base.score);
  if (previous !== result.score.score) {
    entries.push({
      type: 'score',
      at,
      from: previous,
      to: result.score.score,
      fired: result.score.fired.map((rule) => ({ id: rule.id, points: rule.points })),
    });
  }
  return entries;
}

export function failureEntries(failures: RecordFailure[], at: string): AuditEntry[] {
  return failures.map((failure) => ({
    type: 'record_error',
    at,
    system: failure.system,
    recordId: failure.recordId,
    code: failure.code,
    message: failure.message,
    retryable: failure.retryable,
  }));
}
