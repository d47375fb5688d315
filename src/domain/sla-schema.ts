import { z } from 'zod';
import { BusinessHours } from './business-hours-schema.ts';
import { Duration } from './duration.ts';

export const SlaConfig = z.strictObject({
  followUpWithin: Duration.default('1h').describe(
    'Longest time from handoff to a rep first working the lead (working time when businessHours is set).',
  ),
  followUpReminderBefore: Duration.optional().describe(
    'When set, a reminder is recorded this long before the follow-up falls due (working time when businessHours is set).',
  ),
  rejectionFeedbackWithin: Duration.default('48h').describe(
    'Longest time from handoff for sales to accept or reject (with a reason) a lead.',
  ),
  recycleAfter: Duration.default('90d').describe(
    'How long a rejected lead waits before it returns to nurture (calendar time).',
  ),
  businessHours: BusinessHours.optional().describe(
    'Working hours, days and holidays; when set the follow-up and feedback clocks count only working time. A tenant may set its own.',
  ),
  salesReadyLeadsPerMonth: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('How many sales-ready leads marketing commits to deliver each month (shown in the report).'),
});
export type SlaConfig = z.infer<typeof SlaConfig>;
