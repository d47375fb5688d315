import { describe, expect, it } from 'vitest';
import { predictRefusal } from '../../../connectors/salesforce/predict-refusal.ts';
import type { DescribeResult } from '../../../connectors/salesforce/schemas.ts';

const field = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  createable: true,
  updateable: true,
  custom: false,
  nillable: true,
  defaultedOnCreate: false,
  length: 255,
  ...extra,
});

const LEAD: DescribeResult = {
  name: 'Lead',
  fields: [
    field('Id', 'id', { createable: false, updateable: false, nillable: false }),
    field('LastName', 'string', { nillable: false, length: 80 }),
    field('Company', 'string', { nillable: false }),
    field('Title', 'string', { length: 10 }),
    field('Status', 'picklist', {
      nillable: false,
      defaultedOnCreate: true,
      restrictedPicklist: true,
      picklistValues: [
        { value: 'Open', active: true, defaultValue: true },
        { value: 'Old', active: false, defaultValue: false },
      ],
    }),
  ],
};

describe('predictRefusal', () => {
  it('accepts a complete create', () => {
    expect(predictRefusal({ LastName: 'A', Company: 'B', Status: 'Open' }, LEAD, 'create')).toBeNull();
  });
  it('names every missing required field on create, in the API words', () => {
    expect(predictRefusal({ Title: 'x' }, LEAD, 'create')).toEqual({
      code: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [LastName, Company]',
    });
  });
  it('on update only a required field being blanked is refused', () => {
    expect(predictRefusal({ Title: 'x' }, LEAD, 'update')).toBeNull();
    expect(predictRefusal({ Company: '' }, LEAD, 'update')?.code).toBe('REQUIRED_FIELD_MISSING');
  });
  it('refuses inactive or unknown restricted picklist values, too-long text and unknown fields', () => {
    expect(predictRefusal({ LastName: 'A', Company: 'B', Status: 'Old' }, LEAD, 'create')?.code).toBe(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    );
    expect(predictRefusal({ Title: 'x'.repeat(11) }, LEAD, 'update')?.code).toBe('STRING_TOO_LONG');
    expect(predictRefusal({ Nope__c: 1 }, LEAD, 'update')?.code).toBe('INVALID_FIELD');
  });
});
