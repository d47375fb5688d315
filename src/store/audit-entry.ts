import { z } from 'zod';
import { ChangeEvent } from '../domain/change-event.ts';
import { FieldValue, SystemName } from '../domain/lead.ts';
import { ExplicitMove } from '../domain/lifecycle.ts';
import { NotificationEntry } from './notification-entry.ts';

/** ISO-8601 instant the engine recorded the entry (the domain has no clock, so the caller passes it). */
const At = z.string().min(1);

/** A change detected on one of the lead's records. */
export const ChangeSeenEntry = z.object({
  type: z.literal('change_seen'),
  at: At,
  system: SystemName,
  objectId: z.string(),
  source: ChangeEvent.shape.source,
  kind: ChangeEvent.shape.kind.optional(),
  /** ISO-8601 instant of the change in its system. */
  occurredAt: z.string(),
});

/** A stage decision, with the rule that fired and, when scored, the score and the rules behind it. */
export const DecisionEntry = z.object({
  type: z.literal('decision'),
  at: At,
  rule: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  by: z.string(),
  explanation: z.string().optional(),
  move: ExplicitMove.optional(),
  score: z
    .object({
      score: z.number(),
      fired: z.array(z.object({ id: z.string(), points: z.number() })),
    })
    .optional(),
});

/** One field a patch changed: the record's value before, the value written, and what decided it. */
export const FieldChange = z.object({
  field: z.string(),
  old: FieldValue.optional(),
  new: FieldValue,
  /** `computed` (LeadBridge's own fields), the ownership rule that picked the value, or `conflict: <rule>`. */
  rule: z.string(),
});

/** Fields written to one record, each with old -> new and the rule that decided it. */
export const PatchWrittenEntry = z.object({
  type: z.literal('patch_written'),
  at: At,
  system: SystemName,
  recordId: z.string().nullable(),
  fields: z.array(z.string()),
  changes: z.array(FieldChange).optional(),
  created: z.boolean(),
});

/** Both sides changed a field since the last sync: what each held and how the conflict was settled. */
export const ConflictEntry = z.object({
  type: z.literal('conflict'),
  at: At,
  field: z.string(),
  base: FieldValue.optional(),
  hubspot: FieldValue.optional(),
  salesforce: FieldValue.optional(),
  ownership: z.string(),
  winner: z.string(),
  rule: z.string(),
});

/** The score changed: the new score and the rules behind it. */
export const ScoreEntry = z.object({
  type: z.literal('score'),
  at: At,
  from: z.number().nullable(),
  to: z.number(),
  fired: z.array(z.object({ id: z.string(), points: z.number() })),
});

/** A per-record failure: never silently dropped, always visible in `explain`. */
export const RecordErrorEntry = z.object({
  type: z.literal('record_error'),
  at: At,
  system: SystemName,
  recordId: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
});

/**
 * LeadBridge deleted a record itself (HubSpot: archive; Salesforce: delete) because its counterpart was
 * deleted and the tenant's policy is `onDelete: propagate`; or could not, with the system's reason.
 */
export const RecordDeletedEntry = z.object({
  type: z.literal('record_deleted'),
  at: At,
  system: SystemName,
  recordId: z.string(),
  /** The system whose deletion was propagated. */
  after: SystemName,
  policy: z.literal('propagate'),
  /** Why the system refused the delete; absent when it was done. */
  error: z.string().optional(),
});

/**
 * LeadBridge linked a record that already existed instead of creating one: a Salesforce Lead (or the
 * Contact it was converted into) found by the lead's email. Other Leads with the email are duplicates.
 */
export const RecordLinkedEntry = z.object({
  type: z.literal('record_linked'),
  at: At,
  system: SystemName,
  recordId: z.string(),
  /** The record's object in its system (Salesforce: `Lead`, or `Contact` once converted). */
  objectType: z.string().optional(),
  /** How it was found. */
  by: z.literal('email'),
  /** Records that share the email and lost the duplicate choice: never written to. */
  duplicates: z.array(z.string()).optional(),
});

export const AuditEntry = z.discriminatedUnion('type', [
  RecordDeletedEntry,
  RecordLinkedEntry,
  ChangeSeenEntry,
  DecisionEntry,
  PatchWrittenEntry,
  RecordErrorEntry,
  ConflictEntry,
  ScoreEntry,
  NotificationEntry,
]);
export type AuditEntry = z.infer<typeof AuditEntry>;
