import { z } from 'zod';
import { Duration } from './duration.ts';

/** The SLA escalation ladder of a tenant; each rung is optional. */
export const EscalationConfig = z.strictObject({
  remindBefore: Duration.optional().describe(
    'Remind the owner this long before the follow-up is due (e.g. "15m"); no reminder when unset.',
  ),
  notifyManagerOnBreach: z
    .boolean()
    .default(true)
    .describe('At the due time, tell the manager too (channels with the manager audience).'),
  reassignAfter: Duration.optional().describe(
    'This long after the breach, hand the lead to the next owner in the round-robin pool; never when unset.',
  ),
});
export type EscalationConfig = z.infer<typeof EscalationConfig>;
