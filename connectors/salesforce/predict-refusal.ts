import type { FieldValue } from '../../src/domain/lead.ts';
import type { DescribeResult } from './schemas.ts';

/** What Salesforce would answer for a record, predicted from `describe`; null when it would accept it. */
export interface PredictedRefusal {
  code: string;
  message: string;
}

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist']);

const blank = (value: FieldValue | undefined) => value === undefined || value === null || value === '';

/**
 * Pure: the refusal a collections create or update of `values` would meet, judged from the object's
 * `describe` the way the API judges it, in the API's own words: a required field (not nillable, not
 * defaulted on create) missing or blanked, a value outside a restricted picklist's active values (those
 * `describe` returns for the record type of the integration user), a text longer than the field, a field
 * the object does not have. Validation rules, duplicate rules and triggers cannot be foreseen.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
 */
export function predictRefusal(
  values: Record<string, FieldValue>,
  describe: DescribeResult,
  mode: 'create' | 'update',
): PredictedRefusal | null {
  const byName = new Map(describe.fields.map((field) => [field.name.toLowerCase(), field]));
  for (const name of Object.keys(values)) {
    if (!byName.has(name.toLowerCase()))
      return {
        code: 'INVALID_FIELD',
        message: `No such column '${name}' on sobject of type ${describe.name}`,
      };
  }
  const missing = describe.fields
    .filter((field) => field.createable && field.nillable === false && field.defaultedOnCreate !== true)
    .filter((field) =>
      mode === 'create' ? blank(values[field.name]) : field.name in values && blank(values[field.name]),
    )
    .map((field) => field.name);
  if (missing.length > 0)
    return {
      code: 'REQUIRED_FIELD_MISSING',
      message: `Required fields are missing: [${missing.join(', ')}]`,
    };
  for (const [name, value] of Object.entries(values)) {
    const field = byName.get(name.toLowerCase())!;
    if (blank(value)) continue;
    if (field.type === 'picklist' && field.restrictedPicklist === true) {
      const active = (field.picklistValues ?? [])
        .filter((option) => option.active)
        .map((option) => option.value);
      if (!active.includes(String(value)))
        return {
          code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: `${field.name}: bad value for restricted picklist field: ${String(value)}`,
        };
    }
    const length = typeof field.length === 'number' ? field.length : 0;
    if (TEXT_TYPES.has(field.type) && length > 0 && String(value).length > length)
      return {
        code: 'STRING_TOO_LONG',
        message: `${field.name}: data value too large: ${String(value).slice(0, 40)}… (max length=${length})`,
      };
  }
  return null;
}
