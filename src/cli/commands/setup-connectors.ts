import type { TenantConnectors } from '../../../connectors/index.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { SalesforceConnector } from '../../../connectors/salesforce/connector.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';

/**
 * Connectors for `doctor` and `install`: with in-process sessions and budget, not the shared Redis ones,
 * so the API checks still run (and say what is wrong) when Redis is down, and a check leaves no state
 * behind. They make a handful of calls, far below any rate limit, so skipping the shared limiter is safe.
 */
export function setupConnectors(config: LeadBridgeConfig, logger: Logger): Map<string, TenantConnectors> {
  return new Map(
    config.tenants.map((tenant) => [
      tenant.id,
      {
        hubspot: new HubSpotConnector(tenant, config),
        salesforce: new SalesforceConnector({ config, tenant, logger }),
      },
    ]),
  );
}
