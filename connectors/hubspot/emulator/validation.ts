import { LIFECYCLE_ORDER } from '../limits.ts';
import { invalidProperties } from './errors.ts';
import type { PropertyDefinition } from './property-catalog.ts';
import { parseInstant, type StoredContact } from './store.ts';

// Property value checks as HubSpot applies them on writes: https://developers.hubspot.com/docs/api/crm/properties
// and the 2025-01-06 changelog on enumeration values (LEADING_TRAILING_WHITESPACE).

function isBackward(from: string | undefined, to: string): boolean {
  if (!from) return false;
  const order: readonly string[] = LIFECYCLE_ORDER;
  const a = order.indexOf(from);
  const b = order.indexOf(to);
  return a >= 0 && b >= 0 && b < a;
}

/** Throws HubSpot's 400 VALIDATION_ERROR naming every bad value; `api` writes may only move lifecyclestage forward. */
export function validateProperties(
  definitions: Map<string, PropertyDefinition>,
  properties: Record<string, unknown>,
  current: StoredContact | undefined,
  api: boolean,
): void {
  const problems: Array<{ name: string; message: string; error: string }> = [];
  for (const [name, raw] of Object.entries(properties)) {
    const definition = definitions.get(name);
    if (!definition) {
      problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    if (definition.readOnly && api) {
      problems.push({
        name,
        error: 'READ_ONLY_VALUE',
        message: `"${name}" is a read only property; its value cannot be set.`,
      });
      continue;
    }
    if (typeof raw !== 'string') {
      problems.push({ name, error: 'INVALID_TYPE', message: `${JSON.stringify(raw)} is not a string` });
      continue;
    }
    const value = raw;
    if (value === '') continue;
    if (definition.type === 'enumeration' && definition.options.length > 0) {
      if (value !== value.trim()) {
        problems.push({
          name,
          error: 'LEADING_TRAILING_WHITESPACE',
          message: `"${value}" includes leading or trailing whitespace.`,
        });
      } else if (!definition.options.some((option) => option.value === value)) {
        const allowed = definition.options.map((option) => option.value).join(', ');
        problems.push({
          name,
          error: 'INVALID_OPTION',
          message: `${value} was not one of the allowed options: [${allowed}]`,
        });
      }
    } else if (definition.type === 'number' && !Number.isFinite(Number(value))) {
      problems.push({ name, error: 'INVALID_INTEGER', message: `${value} was not a valid number` });
    } else if (
      (definition.type === 'datetime' || definition.type === 'date') &&
      Number.isNaN(parseInstant(value))
    ) {
      problems.push({ name, error: 'INVALID_DATE', message: `${value} was not a valid date` });
    } else if (name === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      problems.push({ name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
    }
    if (name === 'lifecyclestage' && api && isBackward(current?.properties.lifecyclestage, value)) {
      // Constructed wording; the rule itself is documented: "you can only set the value forward in the
      // stage order. To set the lifecycle stage backward, you'll first need to clear ... the value".
      problems.push({
        name,
        error: 'INVALID_LIFECYCLE_STAGE_BACKWARD',
        message: `lifecyclestage can only be set forward: "${value}" is before "${current?.properties.lifecyclestage}". Clear the value first to set it backward.`,
      });
    }
  }
  if (problems.length > 0) throw invalidProperties(problems);
}

/**
 * Write validation from API version 2026-09: a create must carry every property the portal requires on
 * record creation, else 400 VALIDATION_ERROR. HubSpot changelog "CRM API write validation enforcement
 * starting with the 2026-09 API version" (live 2026-09-08). The error code and wording are ours, in the
 * shape of HubSpot's other property validation errors (no verbatim body is published).
 */
export function validateRequired(required: ReadonlySet<string>, properties: Record<string, unknown>): void {
  const missing = [...required].filter((name) => {
    const value = properties[name];
    return typeof value !== 'string' || value.trim() === '';
  });
  if (missing.length === 0) return;
  throw invalidProperties(
    missing.map((name) => ({
      name,
      error: 'REQUIRED_PROPERTY_MISSING',
      message: `Property "${name}" is required when creating a contact.`,
    })),
  );
}
