import { z } from 'zod';

/** What made a transition happen (or be proposed). */
export const LedgerCause = z.enum([
  /** A rep changed the Salesforce Lead Status (or converted it). */
  'rep_status',
  /** Someone in HubSpot changed lifecyclestage / hs_lead_status. */
  'marketing_stage',
  /** The score crossed the MQL threshold and the gate was asked. */
  'score',
  /** A timer fell due (follow-up, feedback, recycle). */
  'timer',
  /** An admin asked LeadBridge for the move (CLI or API). */
  'admin',
  /** A record was deleted or merged away. */
  'deletion',
  /** The lead's first entry: its state when LeadBridge first saw it (backfill or an older install). */
  'seed',
  /** Sales gave (or changed) the reason for a rejection. */
  'feedback',
]);
export type LedgerCause = z.infer<typeof LedgerCause>;

/** Rules under which the state machine refuses a proposed transition. */
export const RefusalRule = z.enum([
  /** Moving to or past the handoff stage needs a passing handoff gate (threshold + required fields). */
  'gate',
  /** After a recycle, a lead is handed off again only once it re-qualified (its score dipped and rose again, or marketing moved it). */
  'requalify_required',
  /** A stage never moves backwards unless the config lists the move as explicit. */
  'backward_refused',
  /** The move is not one of the allowed ones from this state (e.g. rejected -> sql). */
  'move_not_allowed',
  /** Not a stage or side state of the config. */
  'unknown_stage',
]);
export type RefusalRule = z.infer<typeof RefusalRule>;

const Instant = z.string().min(1);
const Stage = z.string().min(1);

const common = {
  /** ISO-8601 instant LeadBridge recorded the entry. */
  at: Instant,
  /** ISO-8601 instant of the change in the system that made it (its own timestamp), or the due time. */
  sourceTime: Instant,
  /** Episode the entry belongs to: each handoff and each rejection opens a new one. */
  episode: z.number().int().nonnegative(),
  cause: LedgerCause,
  /** A Salesforce/HubSpot user id where the API tells it, else the system name or `leadbridge`. */
  actor: z.string().min(1),
};

/** Deadlines a transition opened, computed when it was accepted (so replaying needs no config). */
export const OpenedTimers = z.object({
  followUpDueAt: Instant.optional(),
  reminderAt: Instant.optional(),
  feedbackDueAt: Instant.optional(),
  recycleDueAt: Instant.optional(),
});
export type OpenedTimers = z.infer<typeof OpenedTimers>;

export const TransitionEntry = z.object({
  type: z.literal('transition'),
  ...common,
  from: Stage.nullable(),
  to: Stage.nullable(),
  /** The rule that accepted it (`forward`, `handoff`, `explicit_reject`, `seeded`, ...). */
  rule: z.string().min(1),
  /** Why: the rejection reason sales gave, the gate's verdict, the timer that fired. */
  reason: z.string().nullable(),
  timers: OpenedTimers.optional(),
  /** Seed only: the lead was already this far when first seen, so it is history (no clocks, no create). */
  history: z.boolean().optional(),
  /** Seed from an older install's state: its SLA clock as it was. */
  clock: z
    .object({
      handoffAt: Instant,
      followUpAt: Instant.optional(),
      feedbackAt: Instant.optional(),
      /** Worked at the handoff (the timeline's `workedAtHandoff`): no follow-up time to measure. */
      workedAtHandoff: z.boolean().optional(),
    })
    .optional(),
  /** Seed from an older install's state: when it was rejected. */
  rejectedAt: Instant.optional(),
});

export const RefusalEntry = z.object({
  type: z.literal('refusal'),
  ...common,
  from: Stage.nullable(),
  /** The stage that was proposed. */
  to: Stage,
  rule: RefusalRule,
  reason: z.string().nullable(),
  /** One sentence: why it was refused. */
  detail: z.string(),
});

/** Sales gave a reason for the current rejection (or changed it). */
export const FeedbackEntry = z.object({
  type: z.literal('feedback'),
  ...common,
  reason: z.string().min(1),
});

/** The score crossed the MQL threshold (either way). */
export const ScoreEntry = z.object({
  type: z.literal('score'),
  ...common,
  score: z.number(),
  qualified: z.boolean(),
});

export const TimerKind = z.enum(['follow_up', 'feedback']);
export type TimerKind = z.infer<typeof TimerKind>;

/** A deadline passed unmet. `sourceTime` is the due time. */
export const BreachEntry = z.object({
  type: z.literal('breach'),
  ...common,
  timer: TimerKind,
  dueAt: Instant,
});

/** The follow-up reminder fell due while the lead was still waiting. */
export const ReminderEntry = z.object({
  type: z.literal('reminder'),
  ...common,
  dueAt: Instant,
});

export const LedgerEntry = z.discriminatedUnion('type', [
  TransitionEntry,
  RefusalEntry,
  FeedbackEntry,
  ScoreEntry,
  BreachEntry,
  ReminderEntry,
]);
export type LedgerEntry = z.infer<typeof LedgerEntry>;
export type TransitionEntry = z.infer<typeof TransitionEntry>;
export type RefusalEntry = z.infer<typeof RefusalEntry>;
export type FeedbackEntry = z.infer<typeof FeedbackEntry>;
export type ScoreEntry = z.infer<typeof ScoreEntry>;
export type BreachEntry = z.infer<typeof BreachEntry>;
export type ReminderEntry = z.infer<typeof ReminderEntry>;
