import type { SetupCheck } from '../types.ts';
import type { SalesforceClient } from './client.ts';
import type { SalesforceMapping } from './mapping.ts';
import { checkOrgId } from './org-identity.ts';
import type { DescribeResult, LeadStatusRow } from './schemas.ts';

/**
 * Pure: which fields the config needs on Lead that the describe lacks or will not let us write.
 * LeadBridge's own fields must be updateable; mapped fields must at least exist.
 */
export function missingLeadFields(describe: DescribeResult, mapping: SalesforceMapping): SetupCheck[] {
  const byName = new Map(describe.fields.map((field) => [field.name, field]));
  const own = Object.entries(mapping.custom).map(([role, name]) => ({ role, name, mustWrite: true }));
  const mapped = mapping.fields.map((field) => ({
    role: field.canonical,
    name: field.salesforce,
    mustWrite: false,
  }));
  return [...own, ...mapped].map(({ role, name, mustWrite }) => {
    const field = byName.get(name);
    if (!field) {
      return {
        name: `salesforce.Lead.${name}`,
        ok: false,
        detail: `Lead has no field ${name} (${role})`,
        fix: mustWrite
          ? `create the custom field ${name} on Lead (Setup > Object Manager > Lead > Fields & Relationships) or rename it in customFields.salesforce`
          : `fix the salesforce name of "${role}" in fields[] or create the field`,
      };
    }
    if (role === 'key' && (field.externalId !== true || field.unique !== true)) {
      return {
        name: `salesforce.Lead.${name}`,
        ok: false,
        detail: `${name} must be Unique and an External ID (new Leads are upserted on it)`,
        fix: `edit ${name} in Setup > Object Manager > Lead > Fields & Relationships and tick "Unique" and "External ID"`,
      };
    }
    if (mustWrite && !field.updateable) {
      return {
        name: `salesforce.Lead.${name}`,
        ok: false,
        detail: `${name} exists but the integration user cannot edit it`,
        fix: `grant edit access to ${name} in the integration user's permission set (field-level security)`,
      };
    }
    return { name: `salesforce.Lead.${name}`, ok: true, detail: `${name} (${field.type})` };
  });
}

/** Pure: configured statuses that the org's LeadStatus picklist does not have. */
export function missingStatuses(statuses: LeadStatusRow[], mapping: SalesforceMapping): SetupCheck[] {
  const known = new Set(statuses.map((row) => row.ApiName));
  return Object.keys(mapping.statusToStage).map((status) =>
    known.has(status)
      ? { name: `salesforce.LeadStatus.${status}`, ok: true, detail: `"${status}" exists` }
      : {
          name: `salesforce.LeadStatus.${status}`,
          ok: false,
          detail: `lifecycle.salesforce.status names "${status}", which is not a Lead Status in this org (it has: ${[...known].join(', ')})`,
          fix: 'rename the status in lifecycle.salesforce.status, or add it to the Lead Status picklist',
        },
  );
}

/** Credentials, fields, statuses and API budget, for `install` and `doctor`. */
export async function checkSalesforceSetup(
  client: SalesforceClient,
  mapping: SalesforceMapping,
  share: number,
  /** `tenants[].salesforce.orgId`: checked against the org the credentials sign in to. */
  orgId?: string,
): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  try {
    const userId = await client.integrationUserId();
    checks.push({ name: 'salesforce.credentials', ok: true, detail: `signed in as user ${userId}` });
  } catch (err) {
    checks.push({
      name: 'salesforce.credentials',
      ok: false,
      detail: (err as Error).message,
      fix: 'check clientId/clientSecret/refreshToken (or accessToken and instanceUrl) and loginUrl',
    });
    return checks;
  }
  const attempt = async (name: string, run: () => Promise<SetupCheck[]>, fix: string) => {
    try {
      checks.push(...(await run()));
    } catch (err) {
      checks.push({ name, ok: false, detail: (err as Error).message, fix });
    }
  };
  if (orgId !== undefined) checks.push(await checkOrgId(client, orgId));
  await attempt(
    'salesforce.describe.Lead',
    async () => missingLeadFields(await client.describe('Lead'), mapping),
    'the integration user needs read access to Lead',
  );
  await attempt(
    'salesforce.LeadStatus',
    async () => missingStatuses(await client.leadStatuses(), mapping),
    'the integration user needs read access to LeadStatus',
  );
  await attempt(
    'salesforce.apiBudget',
    async () => {
      const { Max, Remaining } = (await client.limits()).DailyApiRequests;
      const used = Max - Remaining;
      const allowed = Math.floor(Max * share);
      return [
        {
          name: 'salesforce.apiBudget',
          ok: used < allowed,
          detail: `${used} of ${Max} daily API calls used; LeadBridge may use up to ${allowed} (${Math.round(share * 100)}%)`,
          ...(used < allowed
            ? {}
            : { fix: 'wait for the rolling 24-hour window, or raise tenants[].salesforce.apiBudgetShare' }),
        },
      ];
    },
    'the integration user needs "API Enabled"',
  );
  return checks;
}
