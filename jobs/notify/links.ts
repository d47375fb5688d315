import type { TenantConfig } from '../../src/config/tenant-schema.ts';

/** Links to the lead's records in both products, for messages (configured bases, else the API hosts). */
export function recordLinks(
  tenant: TenantConfig,
  records: { hubspot: string | null; salesforce: string | null },
): { hubspot: string | null; salesforce: string | null } {
  const bases = tenant.notifications?.publicLinks ?? {};
  const hubspotBase = (bases.hubspotPortalUrl ?? tenant.hubspot.baseUrl).replace(/\/+$/, '');
  const salesforceBase = (
    bases.salesforceUrl ??
    tenant.salesforce.instanceUrl ??
    tenant.salesforce.loginUrl
  ).replace(/\/+$/, '');
  const type = records.salesforce?.startsWith('003') ? 'Contact' : 'Lead';
  return {
    hubspot: records.hubspot ? `${hubspotBase}/record/0-1/${records.hubspot}` : null,
    salesforce: records.salesforce
      ? `${salesforceBase}/lightning/r/${type}/${records.salesforce}/view`
      : null,
  };
}
