import { z } from 'zod';
import { FieldName } from './lead.ts';

export const HandoffConfig = z.strictObject({
  requiredFields: z
    .array(FieldName)
    .default(['email', 'firstName', 'lastName', 'company'])
    .describe(
      'Canonical fields a lead must carry before it is passed to sales. The fields Salesforce requires to create a Lead (LastName, Company) are always added.',
    ),
  createExistingInSalesforce: z
    .boolean()
    .default(false)
    .describe(
      'Create Salesforce Leads for HubSpot contacts first seen already past the handoff (worked, opportunity, customer). Off: they are linked and recorded as history, never created with a fresh SLA clock.',
    ),
});
export type HandoffConfig = z.infer<typeof HandoffConfig>;
