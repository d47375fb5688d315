import { parseSfDateTime, sfDate, sfDateTime } from './datetime.ts';
import { fieldDef, OBJECTS } from './objects.ts';

export type SfValue = string | number | boolean | null;
export type Row = Record<string, SfValue>;

/** One record's error, as in a collection SaveResult. */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** A request-level error (HTTP 400 for the whole call), e.g. a field the object does not have. */
export class RequestError extends Error {
  readonly errorCode: string;
  readonly status: number;

  constructor(errorCode: string, message: string, status = 400) {
    super(message);
    this.errorCode = errorCode;
    this.status = status;
  }
}

/**
 * Checks and converts incoming field values the way an org does, so a write fails here for the reasons
 * it would fail there: unknown fields (whole request), read-only fields, types, lengths, e-mail format,
 * the restricted Lead Status picklist, and required fields (LastName and Company on Lead).
 * Field names come back in their canonical case.
 */
export function validateValues(
  object: string,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
  context: { current?: Row; leadStatuses: string[]; absentFields?: ReadonlySet<string> },
): { values: Row; errors: SaveError[] } {
  const values: Row = {};
  const errors: SaveError[] = [];
  for (const [rawName, raw] of Object.entries(input)) {
    if (rawName === 'attributes' || rawName === 'Id' || rawName === 'id') continue;
    const def = fieldDef(object, rawName, context.absentFields);
    if (!def)
      throw new RequestError('INVALID_FIELD', `No such column '${rawName}' on sobject of type ${object}`);
    if (mode === 'create' ? !def.createable : !def.updateable) {
      errors.push({
        statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to ${mode} fields: ${def.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: [def.name],
      });
      continue;
    }
    const converted = convert(def.name, def.type, raw, def.length);
    if ('error' in converted) {
      errors.push(converted.error);
      continue;
    }
    let value = converted.value;
    if (object === 'Lead' && def.name === 'Status') {
      if (value === null) value = context.current?.Status ?? null;
      else if (!context.leadStatuses.includes(String(value))) {
        errors.push({
          statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: `Status: bad value for restricted picklist field: ${String(value)}`,
          fields: ['Status'],
        });
        continue;
      }
    }
    values[def.name] = value;
  }
  const required = OBJECTS[object]?.fields.filter((f) => f.required) ?? [];
  const missing = required
    .filter((f) => {
      const value =
        f.name in values ? values[f.name] : mode === 'update' ? context.current?.[f.name] : undefined;
      return value === null || value === undefined || value === '';
    })
    .map((f) => f.name);
  if (missing.length > 0) {
    errors.push({
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: `Required fields are missing: [${missing.join(', ')}]`,
      fields: missing,
    });
  }
  return { values, errors };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function convert(
  name: string,
  type: string,
  raw: unknown,
  length: number,
): { value: SfValue } | { error: SaveError } {
  if (raw === null || raw === undefined || raw === '') return { value: type === 'boolean' ? false : null };
  const bad = (what: string): { error: SaveError } => ({
    error: {
      statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
      message: `${name}: value not of required type: ${String(raw)} (${what})`,
      fields: [name],
    },
  });
  switch (type) {
    case 'double':
    case 'currency':
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return bad('a number');
      return { value: type === 'int' ? Math.trunc(n) : n };
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return bad('a boolean');
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseSfDateTime(raw) : NaN;
      return Number.isNaN(ms) ? bad('a date-time') : { value: sfDateTime(ms) };
    }
    case 'date': {
      const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
      return Number.isNaN(ms) ? bad('a date') : { value: sfDate(ms) };
    }
    default: {
      if (typeof raw === 'object') return bad('a string');
      const text = String(raw);
      if (type === 'email' && !EMAIL.test(text)) {
        return {
          error: {
            statusCode: 'INVALID_EMAIL_ADDRESS',
            message: `${name}: invalid email address: ${text}`,
            fields: [name],
          },
        };
      }
      if (length > 0 && text.length > length) {
        return {
          error: {
            statusCode: 'STRING_TOO_LONG',
            message: `${name}: data value too large: ${text.slice(0, 20)}... (max length=${length})`,
            fields: [name],
          },
        };
      }
      return { value: text };
    }
  }
}
