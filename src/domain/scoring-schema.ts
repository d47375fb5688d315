import { z } from 'zod';
import { Duration } from './duration.ts';
import { FieldName, FieldValue } from './lead.ts';

const RuleBase = {
  id: z.string().min(1).describe('Stable rule id, shown by `explain` and the report.'),
  description: z.string().optional(),
  category: z.enum(['fit', 'engagement']).describe('fit: demographic/firmographic; engagement: behaviour.'),
  field: FieldName.describe('Canonical field the rule reads.'),
  points: z.number().int().describe('Points added (or, if negative, taken) when the rule fires.'),
};

/** One scoring rule; `op` says how `field` is tested. */
export const ScoringRule = z.discriminatedUnion('op', [
  z.strictObject({ ...RuleBase, op: z.literal('equals'), value: FieldValue }),
  z.strictObject({ ...RuleBase, op: z.literal('in'), values: z.array(FieldValue).min(1) }),
  z.strictObject({ ...RuleBase, op: z.literal('contains'), value: z.string().min(1) }),
  z.strictObject({ ...RuleBase, op: z.literal('domain_in'), domains: z.array(z.string().min(1)).min(1) }),
  z
    .strictObject({
      ...RuleBase,
      op: z.literal('range'),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .refine((rule) => rule.min !== undefined || rule.max !== undefined, {
      message: 'a range rule needs min, max or both',
    }),
  z.strictObject({ ...RuleBase, op: z.literal('exists') }),
  z.strictObject({
    ...RuleBase,
    op: z.literal('recent_within'),
    within: Duration.describe('The field holds an instant; the rule fires if it is at most this long ago.'),
  }),
]);
export type ScoringRule = z.infer<typeof ScoringRule>;

export const ScoringConfig = z.strictObject({
  mqlThreshold: z
    .number()
    .int()
    .nonnegative()
    .default(50)
    .describe('Score at or above which a lead becomes marketing-qualified.'),
  caps: z
    .strictObject({
      fit: z.number().int().positive().optional().describe('Most points fit rules can add together.'),
      engagement: z.number().int().positive().optional().describe('Most points engagement rules can add.'),
      total: z.number().int().positive().optional().describe('Highest possible score.'),
    })
    .prefault({}),
  rules: z.array(ScoringRule).default([]),
});
export type ScoringConfig = z.infer<typeof ScoringConfig>;
