import { z } from 'zod';
import { FieldName } from './lead.ts';

export const HandoffConfig = z.strictObject({
  requiredFields: z
    .array(FieldName)
    .default(['email', 'firstName', 'lastName', 'company'])
    .describe('Canonical fields a lead must carry before it is passed to sales.'),
});
export type HandoffConfig = z.infer<typeof HandoffConfig>;
