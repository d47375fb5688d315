import { z } from 'zod';

/** A Salesforce User (`005…`) or queue (`00G…`) id, 15 or 18 characters. */
export const SalesforceOwnerId = z
  .string()
  .regex(/^(005|00G)[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, 'an owner is a User (005…) or queue (00G…) id');

/** One member of a round-robin pool. */
export const PoolMember = z.strictObject({
  id: SalesforceOwnerId.describe('Salesforce User or queue id.'),
  weight: z
    .number()
    .int()
    .positive()
    .max(1000)
    .default(1)
    .describe(
      'Relative share of new leads: a member of weight 2 gets twice the leads of a member of weight 1.',
    ),
  dailyCap: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Most leads this member gets per UTC day; once reached, the member is skipped until midnight UTC.',
    ),
});
export type PoolMember = z.infer<typeof PoolMember>;

/** Why a member could not take a lead right now. */
export type SkipReason = 'inactive' | 'away' | 'capped';
