import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import type { Logger } from '../src/log/logger.ts';
import type { ApiCallRecorder } from '../src/metrics/api-calls.ts';
import type { SecretBox } from '../src/store/secret-box.ts';
import { RedisRateLimiter } from '../src/store/rate-limiter.ts';
import { HubSpotConnector } from './hubspot/connector.ts';
import { redisHubSpotTokenStore } from './hubspot/token-store.ts';
import { SalesforceConnector } from './salesforce/connector.ts';

/** Both sides of one tenant. */
export interface TenantConnectors {
  hubspot: HubSpotConnector;
  salesforce: SalesforceConnector;
}

export interface ConnectorDeps {
  /** Shared state across workers: rate limits, OAuth sessions, API budget, poll de-duplication. */
  redis: Redis;
  /** Prefix of every Redis key the connectors write, e.g. `leadbridge:`. */
  keyPrefix: string;
  recorder: ApiCallRecorder;
  logger: Logger;
  /** Seals the OAuth tokens kept in Redis (LEADBRIDGE_SECRET_KEY); without it they are stored plain. */
  secretBox?: SecretBox | undefined;
}

/**
 * The explicit registry of connectors: one HubSpot and one Salesforce connector per configured tenant,
 * sharing the Redis-backed limits so every worker of every process respects the same budgets.
 */
export function createConnectors(
  config: LeadBridgeConfig,
  deps: ConnectorDeps,
): Map<string, TenantConnectors> {
  const limiter = new RedisRateLimiter(deps.redis, { prefix: `${deps.keyPrefix}ratelimit` });
  return new Map(
    config.tenants.map((tenant) => [
      tenant.id,
      {
        hubspot: new HubSpotConnector(tenant, config, {
          limiter,
          recorder: deps.recorder,
          logger: deps.logger,
          tokenStore: redisHubSpotTokenStore(deps.redis, deps.keyPrefix, deps.secretBox),
        }),
        salesforce: new SalesforceConnector({
          config,
          tenant,
          redis: deps.redis,
          keyPrefix: deps.keyPrefix,
          recorder: deps.recorder,
          logger: deps.logger,
          ...(deps.secretBox ? { secretBox: deps.secretBox } : {}),
        }),
      },
    ]),
  );
}
