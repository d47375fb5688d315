import type { SetupCheck } from '../types.ts';
import type { SalesforceClient } from './client.ts';
import { classifiedError } from './classified-error.ts';
import { UserInfo } from './schemas.ts';

/**
 * The id of the org the credentials sign in to: from the token response's identity URL (jsforce parses
 * it into `userInfo.organizationId`), else from the OpenID userinfo endpoint.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
 */
export async function signedInOrgId(client: SalesforceClient): Promise<string> {
  await client.integrationUserId();
  const fromToken = client.conn.userInfo?.organizationId;
  if (fromToken) return fromToken;
  try {
    return UserInfo.parse(await client.conn.request('/services/oauth2/userinfo')).organization_id;
  } catch (err) {
    throw classifiedError(err, 'Salesforce userinfo');
  }
}

/** Org ids compare on their first 15 characters (the 18-character form adds a case-safe suffix). */
export function sameOrg(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}

/** `tenants[].salesforce.orgId` against the org the credentials sign in to. */
export async function checkOrgId(client: SalesforceClient, configured: string): Promise<SetupCheck> {
  const name = 'salesforce.orgId';
  try {
    const actual = await signedInOrgId(client);
    return sameOrg(actual, configured)
      ? { name, ok: true, detail: `${configured} is the org the credentials sign in to` }
      : {
          name,
          ok: false,
          detail: `orgId is ${configured}, but the credentials sign in to org ${actual}: its outbound messages would be refused (403)`,
          fix: `set tenants[].salesforce.orgId (SALESFORCE_ORG_ID) to ${actual}, or use credentials of org ${configured}`,
        };
  } catch (err) {
    return {
      name,
      ok: false,
      detail: `could not read the signed-in org: ${(err as Error).message}`,
      fix: 'the integration user needs the "openid" or "api" scope',
    };
  }
}
