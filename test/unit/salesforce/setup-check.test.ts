import { describe, expect, it } from 'vitest';
import { salesforceMapping } from '../../../connectors/salesforce/mapping.ts';
import { missingLeadFields } from '../../../connectors/salesforce/setup-check.ts';
import { salesforceFieldsToAdd } from '../../../src/cli/commands/install-salesforce-fields.ts';
import { LeadBridgeConfig } from '../../../src/config/schema.ts';

const config = (key?: string) =>
  LeadBridgeConfig.parse({
    tenants: [
      {
        id: 'acme',
        hubspot: { accessToken: 't' },
        salesforce: { orgId: '00D000000000000AAA', accessToken: 'x', instanceUrl: 'https://x.example' },
      },
    ],
    fields: [{ canonical: 'email', hubspot: 'email', salesforce: 'Email' }],
    ...(key ? { customFields: { salesforce: { key } } } : {}),
  });
const field = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  updateable: true,
  createable: true,
  custom: name.endsWith('__c'),
  ...extra,
});
const base = ['Email', 'LeadBridge_Score__c', 'LeadBridge_Stage__c', 'Rejection_Reason__c']
  .concat(['LeadBridge_SLA_Due__c', 'LeadBridge_SLA_Breached__c'])
  .map((name) => field(name));
const describeWith = (...extra: ReturnType<typeof field>[]) => ({
  name: 'Lead',
  fields: [...base, ...extra],
});

describe('the lead-key external-id field in the Salesforce setup checks', () => {
  it('is listed for install when missing, with its type', () => {
    const checks = missingLeadFields(describeWith(), salesforceMapping(config()));
    const failed = checks.filter((check) => !check.ok);
    expect(failed.map((check) => check.name)).toEqual(['salesforce.Lead.LeadBridge_Key__c']);
    expect(salesforceFieldsToAdd(checks, config().customFields.salesforce)).toEqual([
      { apiName: 'LeadBridge_Key__c', label: 'LeadBridge Key', type: 'Text (40), Unique, External ID' },
    ]);
  });

  it('fails when the field exists but is not Unique and External ID; passes when it is', () => {
    const plain = missingLeadFields(describeWith(field('LeadBridge_Key__c')), salesforceMapping(config()));
    expect(plain.find((check) => !check.ok)?.fix).toMatch(/Unique.*External ID/);
    const good = missingLeadFields(
      describeWith(field('LeadBridge_Key__c', { unique: true, externalId: true })),
      salesforceMapping(config()),
    );
    expect(good.every((check) => check.ok)).toBe(true);
  });

  it('follows a rename in customFields.salesforce.key', () => {
    const renamed = config('Acme_LB_Key__c');
    const checks = missingLeadFields(
      describeWith(field('Acme_LB_Key__c', { unique: true, externalId: true })),
      salesforceMapping(renamed),
    );
    expect(checks.every((check) => check.ok)).toBe(true);
  });
});
