import { describe, expect, it } from 'vitest';
import { evaluateHandoff } from '../../../src/domain/handoff-gate.ts';

const config = { requiredFields: ['email', 'firstName', 'lastName', 'company', 'phone'], mqlThreshold: 50 };
const complete = {
  email: 'ann@acme.com',
  firstName: 'Ann',
  lastName: 'Lee',
  company: 'Acme',
  phone: '+1 555 0100',
};

describe('handoff gate', () => {
  it('passes a qualified lead carrying every required field', () => {
    expect(evaluateHandoff(complete, 50, config)).toEqual({
      pass: true,
      reasons: [],
      missing: [],
      score: 50,
      threshold: 50,
    });
  });

  it('fails below the threshold, saying by how much in words', () => {
    const result = evaluateHandoff(complete, 35, config);
    expect(result.pass).toBe(false);
    expect(result.reasons).toEqual(['score 35 is below the MQL threshold 50']);
  });

  it('fails on missing fields, blank strings included, named in the configured order', () => {
    const result = evaluateHandoff(
      { ...complete, company: '  ', phone: null, lastName: undefined },
      80,
      config,
    );
    expect(result.pass).toBe(false);
    expect(result.missing).toEqual(['lastName', 'company', 'phone']);
    expect(result.reasons).toEqual(['missing: lastName, company, phone']);
  });

  it('gives every reason at once', () => {
    const result = evaluateHandoff({ email: 'ann@acme.com' }, 10, {
      requiredFields: ['email', 'phone', 'company'],
      mqlThreshold: 50,
    });
    expect(result.reasons).toEqual(['score 10 is below the MQL threshold 50', 'missing: phone, company']);
  });

  it('counts zero and false as present', () => {
    const result = evaluateHandoff({ employees: 0, optIn: false } as never, 60, {
      requiredFields: ['employees', 'optIn'],
      mqlThreshold: 50,
    });
    expect(result.pass).toBe(true);
  });
});
