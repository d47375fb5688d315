import type { Redis } from 'ioredis';
import type { TenantConnectors } from '../../../connectors/index.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { redisHubSpotTokenStore } from '../../../connectors/hubspot/token-store.ts';
import { SalesforceConnector } from '../../../connectors/salesforce/connector.ts';
import { RedisTokenStore } from '../../../connectors/salesforce/token-store.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import type { SecretBox } from '../../store/secret-box.ts';
import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { tokenBox } from '../token-box.ts';

/** The session stores `start` and `worker` use, so a token `install` or `doctor` refreshes is not lost. */
export interface SharedSessions {
  redis: Redis;
  keyPrefix: string;
  secretBox?: SecretBox | undefined;
}

/**
 * Connectors for `doctor` and `install`: in-process budget and poll state, so the API checks leave no
 * state behind. Salesforce sessions, though, go to the shared store when Redis answers: with refresh-token
 * rotation the configured token works once, and a session `install` refreshed and threw away would leave
 * `start` unable to refresh. When Redis is down the checks still run, with in-process sessions.
 */
export function setupConnectors(
  config: LeadBridgeConfig,
  logger: Logger,
  shared?: SharedSessions,
): Map<string, TenantConnectors> {
  return new Map(
    config.tenants.map((tenant) => [
      tenant.id,
      {
        hubspot: new HubSpotConnector(
          tenant,
          config,
          shared
            ? { tokenStore: redisHubSpotTokenStore(shared.redis, shared.keyPrefix, shared.secretBox) }
            : {},
        ),
        salesforce: new SalesforceConnector({
          config,
          tenant,
          logger,
          ...(shared
            ? { stores: { tokens: new RedisTokenStore(shared.redis, shared.keyPrefix, shared.secretBox) } }
            : {}),
        }),
      },
    ]),
  );
}

/**
 * Runs `fn` with the shared session store when Redis answers within two seconds, else with none (and a
 * warning), then closes the connection.
 */
export async function withSharedSessions<T>(
  env: Pick<RuntimeEnv, 'redisUrl' | 'redisPrefix' | 'secretKey'>,
  logger: Logger,
  fn: (shared: SharedSessions | undefined) => Promise<T>,
): Promise<T> {
  const secretBox = tokenBox(env);
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 1 });
  try {
    const answered = await Promise.race([
      redis.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
    ]);
    if (!answered)
      logger.warn('Redis does not answer: a Salesforce session refreshed now is not kept for `start`');
    return await fn(
      answered ? { redis, keyPrefix: enginePrefixes(env.redisPrefix).connectors, secretBox } : undefined,
    );
  } finally {
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect(), 1_000);
  }
}
