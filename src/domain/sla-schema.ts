import { z } from 'zod';
import { Duration } from './duration.ts';

export const SlaConfig = z.strictObject({
  followUpWithin: Duration.default('1h').describe(
    'Longest time from handoff to a rep first working the lead.',
  ),
  rejectionFeedbackWithin: Duration.default('48h').describe(
    'Longest time from handoff for sales to accept or reject (with a reason) a lead.',
  ),
  recycleAfter: Duration.default('90d').describe(
    'How long a rejected lead waits before it returns to nurture.',
  ),
  salesReadyLeadsPerMonth: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('How many sales-ready leads marketing commits to deliver each month (shown in the report).'),
});
export type SlaConfig = z.infer<typeof SlaConfig>;
