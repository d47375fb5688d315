import { describe, expect, it } from 'vitest';
import { danglingFieldReferences, nearest } from '../../../src/config/cross-references.ts';
import { parseConfig } from '../../../src/config/load.ts';

const TENANT = `tenants:
  - id: acme
    hubspot: { accessToken: t }
    salesforce: { orgId: 00D5g000004LBdgEAG, accessToken: t, instanceUrl: "https://x.my.salesforce.com" }
`;

describe('danglingFieldReferences', () => {
  it('accepts rules and required fields on mapped or computed fields', () => {
    const config = parseConfig(
      `${TENANT}scoring: { rules: [{ id: s, category: fit, field: score, op: exists, points: 1 }, { id: t, category: fit, field: title, op: exists, points: 1 }] }\n`,
      {},
    );
    expect(danglingFieldReferences(config)).toEqual([]);
  });

  it('names each dangling place with the nearest known field', () => {
    const config = parseConfig(
      `${TENANT}scoring: { rules: [{ id: t, category: fit, field: titel, op: exists, points: 1 }] }\nhandoff: { requiredFields: [email, compnay, budget] }\n`,
      {},
    );
    expect(
      danglingFieldReferences(config).map(({ path, field, suggestion }) => ({ path, field, suggestion })),
    ).toEqual([
      { path: 'scoring.rules[0].field', field: 'titel', suggestion: 'title' },
      { path: 'handoff.requiredFields[1]', field: 'compnay', suggestion: 'company' },
      { path: 'handoff.requiredFields[2]', field: 'budget', suggestion: undefined },
    ]);
  });

  it('suggests nothing for a name far from every known one', () => {
    expect(nearest('numberOfEmployees', ['email', 'phone'])).toBeUndefined();
    expect(nearest('Email', ['email', 'phone'])).toBe('email');
  });
});
