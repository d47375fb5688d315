import type { FieldValue } from './lead.ts';
import type { FieldMapping } from './ownership-schema.ts';

/** How a field's value is read and compared: `string`, `number`, `boolean` or `datetime`. */
export type FieldType = FieldMapping['type'];

/** What two values are compared as, once normalised; `null` is blank. */
export type Comparable = string | number | boolean | null;

// Every pattern here runs on values people typed into a record (up to 131,072 characters): each is either
// a hand-written scan or a regex without nested or adjacent overlapping quantifiers, so time is linear.
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** Longest ISO-8601 instant read: a date, a time with nanoseconds and an offset fit in well under 40. */
const MAX_INSTANT_CHARS = 40;
/** Longest numeric text read as a number: beyond that no double holds more precision anyway. */
const MAX_NUMBER_CHARS = 400;
// ECMAScript dates span ±100,000,000 days around the epoch; beyond that `new Date(ms)` is invalid.
const MAX_EPOCH_MS = 8.64e15;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off']);

/** Null, undefined, and strings of only whitespace are all blank: both systems use them for "no value". */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** A string with something other than whitespace in it. */
export function hasText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * The longest text either system stores in one field: Salesforce long text areas hold 131,072
 * characters, HubSpot text properties 65,536. A value longer than its system allows is cut to that
 * before any rule sees it.
 * https://help.salesforce.com/s/articleView?id=sf.custom_field_types.htm
 * https://knowledge.hubspot.com/properties/property-field-types-in-hubspot
 */
export const SYSTEM_TEXT_LIMITS = { hubspot: 65_536, salesforce: 131_072 } as const;

/** A raw record value with text cut to `maxChars`; other values as they came. */
export function capText(value: unknown, maxChars: number): unknown {
  return typeof value === 'string' && value.length > maxChars ? value.slice(0, maxChars) : value;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Whether `text` is a decimal number: optional sign, digits with an optional fraction (or a bare
 * fraction), optional exponent. One pass over the characters (the regex it replaces backtracked
 * polynomially: 8 s on a 65,536-digit string).
 */
export function isNumericText(text: string): boolean {
  if (text.length === 0 || text.length > MAX_NUMBER_CHARS) return false;
  let i = 0;
  const code = (at: number) => text.charCodeAt(at);
  if (text[i] === '+' || text[i] === '-') i += 1;
  let mantissaDigits = 0;
  while (i < text.length && isDigit(code(i))) {
    i += 1;
    mantissaDigits += 1;
  }
  if (text[i] === '.') {
    i += 1;
    while (i < text.length && isDigit(code(i))) {
      i += 1;
      mantissaDigits += 1;
    }
  }
  if (mantissaDigits === 0) return false;
  if (text[i] === 'e' || text[i] === 'E') {
    i += 1;
    if (text[i] === '+' || text[i] === '-') i += 1;
    let exponentDigits = 0;
    while (i < text.length && isDigit(code(i))) {
      i += 1;
      exponentDigits += 1;
    }
    if (exponentDigits === 0) return false;
  }
  return i === text.length;
}

/** A finite number, or a string holding one (HubSpot returns every property as a string). */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!isNumericText(trimmed)) return null;
    const parsed = Number(trimmed);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

export function toBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return null;
}

/**
 * Epoch milliseconds of an instant given as a Date, epoch milliseconds (number or numeric string, as
 * HubSpot datetime properties come), or an ISO-8601 string. Salesforce's `+0000` offsets are accepted;
 * a date or time without an offset is read as UTC, so the result never depends on the machine's zone.
 */
export function parseInstant(value: unknown): number | null {
  let ms: number | null = null;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number' || (typeof value === 'string' && isNumericText(value.trim()))) {
    const epoch = toNumber(value);
    ms = epoch === null ? null : Math.trunc(epoch);
  } else if (typeof value === 'string') {
    const trimmed = value.trim();
    const match = trimmed.length <= MAX_INSTANT_CHARS ? ISO_DATE.exec(trimmed) : null;
    if (match) {
      const [, date, time = '', , , offset] = match;
      const zone = offset === undefined ? 'Z' : offset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
      ms = Date.parse(`${date}${time ? `T${time.slice(1)}` : 'T00:00'}${zone.toUpperCase()}`);
    }
  }
  return ms === null || Number.isNaN(ms) || Math.abs(ms) > MAX_EPOCH_MS ? null : ms;
}

/** ISO-8601 string (UTC, milliseconds) of an instant, or null when it cannot be read as one. */
export function toIsoInstant(value: unknown): string | null {
  const ms = parseInstant(value);
  return ms === null ? null : new Date(ms).toISOString();
}

/** Email-like fields compare case-insensitively (the local part is case-insensitive in practice). */
function isEmailField(field: string | undefined): boolean {
  return field !== undefined && /email/i.test(field);
}

function text(value: unknown): string {
  return (typeof value === 'string' ? value : String(value)).trim();
}

/**
 * The form two values of a field are compared in: blanks become null (false for booleans), numbers and numeric strings the
 * same number, instants epoch milliseconds, emails lower case, other text trimmed. A value that does not
 * fit the type is compared as its trimmed text, so a bad value still equals itself.
 */
export function comparableValue(value: unknown, type: FieldType | undefined, field?: string): Comparable {
  // A Salesforce checkbox cannot be blank: writing null stores false and reads back false. Counting a blank
  // boolean as false keeps that from looking like a change on every pass.
  if (type === 'boolean' && isBlank(value)) return false;
  if (isBlank(value)) return null;
  switch (type ?? inferType(value)) {
    case 'number':
      return toNumber(value) ?? text(value);
    case 'boolean':
      return toBoolean(value) ?? text(value);
    case 'datetime':
      return parseInstant(value) ?? text(value);
    default: {
      const asText = text(value);
      return isEmailField(field) ? asText.toLowerCase() : asText;
    }
  }
}

/** Without a declared type (e.g. a computed field with no mapping), numbers and numeric strings agree. */
function inferType(value: unknown): FieldType {
  if (typeof value === 'boolean') return 'boolean';
  return toNumber(value) !== null ? 'number' : 'string';
}

export function valuesEqual(a: unknown, b: unknown, type: FieldType | undefined, field?: string): boolean {
  if (type === undefined && (toNumber(a) === null) !== (toNumber(b) === null)) {
    return comparableValue(a, 'string', field) === comparableValue(b, 'string', field);
  }
  return comparableValue(a, type, field) === comparableValue(b, type, field);
}

/**
 * The canonical form of a raw value: null for blank, a number for number fields, a boolean for boolean
 * fields, an ISO-8601 UTC string for datetimes, a string otherwise. Values that do not fit the type are
 * kept as they came, so nothing is lost silently.
 */
export function canonicalValue(value: unknown, type: FieldType | undefined): FieldValue {
  if (isBlank(value)) return null;
  switch (type) {
    case 'number':
      return toNumber(value) ?? text(value);
    case 'boolean':
      return toBoolean(value) ?? text(value);
    case 'datetime':
      return toIsoInstant(value) ?? text(value);
    case 'string':
      return typeof value === 'string' ? value : String(value);
    default:
      return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string'
        ? value
        : String(value);
  }
}
