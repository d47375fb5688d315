import { describe, expect, it } from 'vitest';
import {
  canonicalValue,
  comparableValue,
  hasText,
  isBlank,
  parseInstant,
  toBoolean,
  toIsoInstant,
  toNumber,
  valuesEqual,
} from '../../../src/domain/values.ts';

describe('blank values', () => {
  it('treats null, undefined, empty and whitespace-only strings as blank', () => {
    for (const blank of [null, undefined, '', '   ', '\t\n']) expect(isBlank(blank)).toBe(true);
    for (const value of [0, false, 'a', ' x ']) expect(isBlank(value)).toBe(false);
    expect(hasText(' x ')).toBe(true);
    expect(hasText('  ')).toBe(false);
    expect(hasText(5)).toBe(false);
  });
});

describe('numbers and booleans', () => {
  it('reads numbers from numeric strings, and nothing else', () => {
    expect(toNumber('42')).toBe(42);
    expect(toNumber(' -3.5 ')).toBe(-3.5);
    expect(toNumber('1e3')).toBe(1000);
    expect(toNumber(7)).toBe(7);
    expect(toNumber('42abc')).toBeNull();
    expect(toNumber('')).toBeNull();
    expect(toNumber(Number.NaN)).toBeNull();
    expect(toNumber(Infinity)).toBeNull();
    expect(toNumber(true)).toBeNull();
  });

  it('reads booleans from the words both systems use', () => {
    expect(toBoolean('true')).toBe(true);
    expect(toBoolean('FALSE')).toBe(false);
    expect(toBoolean(1)).toBe(true);
    expect(toBoolean('0')).toBe(false);
    expect(toBoolean('maybe')).toBeNull();
    expect(toBoolean(2)).toBeNull();
  });
});

describe('instants', () => {
  const noon = Date.UTC(2025, 0, 15, 12, 0, 0);

  it('reads ISO-8601 with Z, with offsets with and without a colon, and epoch milliseconds', () => {
    expect(parseInstant('2025-01-15T12:00:00Z')).toBe(noon);
    expect(parseInstant('2025-01-15T12:00:00.000+0000')).toBe(noon);
    expect(parseInstant('2025-01-15T13:00:00+01:00')).toBe(noon);
    expect(parseInstant(String(noon))).toBe(noon);
    expect(parseInstant(noon)).toBe(noon);
    expect(parseInstant(new Date(noon))).toBe(noon);
  });

  it('reads dates and offset-less times as UTC whatever the machine zone', () => {
    expect(parseInstant('2025-01-15')).toBe(Date.UTC(2025, 0, 15));
    expect(parseInstant('2025-01-15T12:00:00')).toBe(noon);
  });

  it('refuses what is not an instant', () => {
    expect(parseInstant('next tuesday')).toBeNull();
    expect(parseInstant('2025-13-45')).toBeNull();
    expect(parseInstant(9e15)).toBeNull();
    expect(parseInstant(null)).toBeNull();
    expect(toIsoInstant('2025-01-15T13:00:00+01:00')).toBe('2025-01-15T12:00:00.000Z');
  });
});

describe('comparing values', () => {
  it('treats null, empty and undefined as the same blank', () => {
    expect(valuesEqual(null, '', 'string')).toBe(true);
    expect(valuesEqual(undefined, '  ', 'number')).toBe(true);
    expect(valuesEqual(null, 'x', 'string')).toBe(false);
  });

  it('compares numbers with numeric strings, in number and in string fields', () => {
    expect(valuesEqual(250, '250', 'number')).toBe(true);
    expect(valuesEqual(250, '250.0', 'number')).toBe(true);
    expect(valuesEqual(250, '250', 'string')).toBe(true);
    expect(valuesEqual(250, '250', undefined)).toBe(true);
    expect(valuesEqual(250, 251, 'number')).toBe(false);
  });

  it('compares datetimes as instants', () => {
    expect(valuesEqual('2025-01-15T12:00:00Z', String(Date.UTC(2025, 0, 15, 12)), 'datetime')).toBe(true);
    expect(valuesEqual('2025-01-15T12:00:00.000+0000', '2025-01-15T13:00:00+01:00', 'datetime')).toBe(true);
    expect(valuesEqual('2025-01-15T12:00:00Z', '2025-01-15T12:00:01Z', 'datetime')).toBe(false);
  });

  it('compares emails without case, other text with case', () => {
    expect(valuesEqual('Ann@Acme.com', 'ann@acme.com', 'string', 'email')).toBe(true);
    expect(valuesEqual('Acme', 'ACME', 'string', 'company')).toBe(false);
    expect(valuesEqual(' Acme ', 'Acme', 'string', 'company')).toBe(true);
  });

  it('compares booleans with their string forms', () => {
    expect(valuesEqual(true, 'true', 'boolean')).toBe(true);
    expect(valuesEqual(false, 'true', 'boolean')).toBe(false);
    expect(comparableValue('yes', 'boolean')).toBe(true);
  });
});

describe('canonical values', () => {
  it('turns raw values into the canonical form of their type', () => {
    expect(canonicalValue('42', 'number')).toBe(42);
    expect(canonicalValue('', 'number')).toBeNull();
    expect(canonicalValue('true', 'boolean')).toBe(true);
    expect(canonicalValue('1736942400000', 'datetime')).toBe('2025-01-15T12:00:00.000Z');
    expect(canonicalValue(42, 'string')).toBe('42');
    expect(canonicalValue(' Acme ', 'string')).toBe(' Acme ');
  });

  it('keeps a value that does not fit its type rather than losing it', () => {
    expect(canonicalValue('n/a', 'number')).toBe('n/a');
    expect(canonicalValue('someday', 'datetime')).toBe('someday');
  });
});

describe('boolean fields', () => {
  it('count a blank as false, as a Salesforce checkbox stores it', () => {
    expect(valuesEqual(null, false, 'boolean')).toBe(true);
    expect(valuesEqual('', 'false', 'boolean')).toBe(true);
    expect(valuesEqual(null, true, 'boolean')).toBe(false);
    expect(valuesEqual(null, '', 'string')).toBe(true);
  });
});
