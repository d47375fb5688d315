import type { TenantConnectors } from '../../connectors/index.ts';
import type { OwnerLookup } from './status-report.ts';

/**
 * Owners of Salesforce Leads (`00Q…`) and converted Contacts (`003…`) through the tenant's connector:
 * one retrieve per 200 ids of each object.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_retrieve.htm
 */
export function connectorOwnerLookup(connectors: Map<string, TenantConnectors>): OwnerLookup {
  return async (tenant, ids) => {
    const salesforce = connectors.get(tenant)?.salesforce;
    const owners = new Map<string, string>();
    if (!salesforce) return owners;
    for (const [object, subset] of [
      ['Lead', ids.filter((id) => !id.startsWith('003'))],
      ['Contact', ids.filter((id) => id.startsWith('003'))],
    ] as const) {
      if (subset.length === 0) continue;
      for (const row of await salesforce.client.retrieve(object, subset, ['Id', 'OwnerId'])) {
        if (typeof row.Id === 'string' && typeof row.OwnerId === 'string') owners.set(row.Id, row.OwnerId);
      }
    }
    return owners;
  };
}
