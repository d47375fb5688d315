import { z } from 'zod';
import { PoolMember, SalesforceOwnerId } from '../domain/owner-pool-schema.ts';

/**
 * Who owns a lead once it is handed to sales. `salesforce_assignment_rules` creates the Lead with the
 * `Sforce-Auto-Assign: TRUE` header, so the org's active assignment rule decides, and reads the owner back;
 * `round_robin` picks from `pool`; `fixed` always gives `fixedOwner`.
 */
export const OwnersConfig = z
  .strictObject({
    strategy: z
      .enum(['salesforce_assignment_rules', 'round_robin', 'fixed'])
      .default('salesforce_assignment_rules')
      .describe('How the owner of a handed-off lead is chosen.'),
    pool: z
      .array(PoolMember)
      .default([])
      .describe('round_robin: Salesforce users or queues with weights and optional daily caps.'),
    fixedOwner: SalesforceOwnerId.optional().describe('fixed: the one user or queue that owns every lead.'),
    away: z
      .array(SalesforceOwnerId)
      .default([])
      .describe('Users skipped by round robin for now (holiday, leave); inactive users are skipped anyway.'),
    awayField: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
      .optional()
      .describe('A checkbox field on User (e.g. Out_Of_Office__c) that marks a user away when true.'),
    fallbackOwner: SalesforceOwnerId.optional().describe(
      'Owner when nobody in the pool can take the lead; unset: the lead keeps the owner Salesforce gave it.',
    ),
    hubspotFallbackOwnerId: z
      .string()
      .regex(/^\d+$/)
      .optional()
      .describe(
        'HubSpot owner id written when the Salesforce owner has no active HubSpot owner of the same email; unset: left blank.',
      ),
    managerEmail: z.email().optional().describe('Who hears of a breach (the manager audience).'),
  })
  .superRefine((owners, ctx) => {
    if (owners.strategy === 'round_robin' && owners.pool.length === 0)
      ctx.addIssue({ code: 'custom', path: ['pool'], message: 'round_robin needs at least one pool member' });
    if (owners.strategy === 'fixed' && !owners.fixedOwner)
      ctx.addIssue({ code: 'custom', path: ['fixedOwner'], message: 'fixed needs fixedOwner' });
    const seen = new Set<string>();
    owners.pool.forEach((member, index) => {
      if (seen.has(member.id))
        ctx.addIssue({
          code: 'custom',
          path: ['pool', index, 'id'],
          message: `${member.id} is in the pool twice`,
        });
      seen.add(member.id);
    });
  });
export type OwnersConfig = z.infer<typeof OwnersConfig>;
