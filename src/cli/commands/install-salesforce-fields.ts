import type { SetupCheck } from '../../../connectors/types.ts';
import type { CustomFieldNames } from '../../config/schema.ts';

/** The Setup field type for each of LeadBridge's own Lead fields, as an admin picks it in the wizard. */
const FIELD_TYPES: Record<keyof CustomFieldNames['salesforce'], { label: string; type: string }> = {
  score: { label: 'LeadBridge Score', type: 'Number (18, 0)' },
  stage: { label: 'LeadBridge Stage', type: 'Text (40)' },
  rejectionReason: { label: 'Rejection Reason', type: 'Text (255)' },
  slaDueAt: { label: 'LeadBridge SLA Due', type: 'Date/Time' },
  slaBreached: { label: 'LeadBridge SLA Breached', type: 'Checkbox (default unchecked)' },
  key: { label: 'LeadBridge Key', type: 'Text (40), Unique, External ID' },
};

export interface FieldToAdd {
  /** API name, e.g. `LeadBridge_Score__c` (Setup adds the `__c`: type the name without it). */
  apiName: string;
  label: string;
  type: string;
}

/**
 * LeadBridge's own Lead fields that the setup checks found missing, with the type to give each. The REST
 * API this product uses cannot create fields (that takes the Metadata API), so an admin adds them in Setup.
 */
export function salesforceFieldsToAdd(
  checks: SetupCheck[],
  names: CustomFieldNames['salesforce'],
): FieldToAdd[] {
  const missing = new Set(
    checks
      .filter((check) => !check.ok && /has no field/.test(check.detail))
      .map((check) => check.name.replace(/^salesforce\.Lead\./, '')),
  );
  return (Object.keys(FIELD_TYPES) as Array<keyof typeof FIELD_TYPES>)
    .filter((role) => missing.has(names[role]))
    .map((role) => ({ apiName: names[role], ...FIELD_TYPES[role] }));
}

/** Setup instructions for the fields to add, one per line. */
export function formatFieldsToAdd(fields: FieldToAdd[]): string[] {
  if (fields.length === 0) return [];
  const width = Math.max(...fields.map((field) => field.apiName.length));
  return [
    '  add these Lead fields in Salesforce Setup > Object Manager > Lead > Fields & Relationships > New,',
    "  and give the integration user's permission set edit access to each:",
    ...fields.map(
      (field) => `    ${field.apiName.padEnd(width)}  ${field.type.padEnd(28)}  label "${field.label}"`,
    ),
  ];
}
