import { z } from 'zod';
import { FieldName } from './lead.ts';
import { StageName } from './lifecycle-schema.ts';

/** Who wins when a field differs between the systems (like the native integrations' sync rules). */
export const Ownership = z.enum([
  'hubspot',
  'salesforce',
  'prefer_hubspot_unless_blank',
  'prefer_salesforce_unless_blank',
  'two_way',
  'none',
]);
export type Ownership = z.infer<typeof Ownership>;

export const FieldMapping = z.strictObject({
  canonical: FieldName,
  hubspot: z
    .string()
    .min(1)
    .optional()
    .describe('HubSpot contact property; omit if HubSpot lacks the field.'),
  salesforce: z.string().min(1).optional().describe('Salesforce Lead field; omit if Salesforce lacks it.'),
  type: z.enum(['string', 'number', 'boolean', 'datetime']).default('string'),
  ownership: Ownership.default('two_way'),
  ownershipFromStage: z
    .array(z.strictObject({ stage: StageName, ownership: Ownership }))
    .default([])
    .describe(
      'Ownership that applies once the lead has reached a stage, e.g. marketing owns a field until the handoff, sales after it.',
    ),
  tieBreak: z
    .enum(['hubspot', 'salesforce'])
    .default('salesforce')
    .describe('For two_way: which side wins when both changed since the last sync.'),
});
export type FieldMapping = z.infer<typeof FieldMapping>;
