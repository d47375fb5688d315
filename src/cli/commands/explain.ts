import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { explainLead } from '../../server/explain-lookup.ts';
import { AuditTrail } from '../../store/audit-trail.ts';
import { LeadLedger } from '../../store/lead-ledger.ts';
import { LeadLinks } from '../../store/lead-links.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { emailHash } from '../../store/tombstone.ts';
import { UsageError } from '../command-runner.ts';
import { unknownTenantMessage } from '../tenant-selection.ts';
import { EXIT } from '../exit-codes.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { formatExplanation } from './explain-format.ts';

export interface ExplainOptions {
  /** Search only this tenant (default: every configured tenant). */
  tenant?: string | undefined;
  json: boolean;
  /** Most recent entries shown per lead (default: all the trail keeps). */
  limit?: number | undefined;
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/** `leadbridge explain <email or id>`: exit 0 with the history, 1 when no tenant knows the lead. */
export async function runExplain(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  query: string,
  options: ExplainOptions,
): Promise<number> {
  const tenantIds = config.tenants.map((tenant) => tenant.id);
  if (options.tenant !== undefined && !tenantIds.includes(options.tenant)) {
    throw new UsageError(`--tenant: ${unknownTenantMessage(options.tenant, tenantIds)}`);
  }
  // A one-shot command must fail when Redis is down, not wait for it forever as the workers do.
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 2 });
  try {
    const store = { prefix: enginePrefixes(env.redisPrefix).store };
    const links = new LeadLinks(redis, store);
    const audit = new AuditTrail(redis, links, store);
    const tenants = options.tenant ? [options.tenant] : tenantIds;
    const result = await explainLead(audit, tenants, query, options.limit, new LeadLedger(redis, store));
    if (result.results.length === 0) {
      // A deleted or forgotten person: only the tombstone (by email hash) says what happened.
      if (query.includes('@')) {
        const hash = emailHash(query);
        for (const tenant of tenants) {
          const tombstone = await links.tombstoneByHash(tenant, hash);
          if (!tombstone) continue;
          const what = tombstone.reason === 'privacy_deleted' ? 'privacy-deleted (GDPR)' : 'deleted';
          options.write(
            options.json
              ? `${JSON.stringify({ tenant, emailHash: hash, tombstone }, null, 2)}\n`
              : `${tenant}: the record with this email (sha256 ${hash.slice(0, 12)}…) was ${what} in ${tombstone.system} at ${tombstone.at}${tombstone.propagated ? ', and LeadBridge deleted the other system’s record too (onDelete: propagate)' : ''}; LeadBridge keeps no other data about it and does not re-create it\n`,
          );
          return EXIT.failure;
        }
      }
      const where = tenants.length === 1 ? `tenant ${tenants[0]}` : `any of ${tenants.length} tenants`;
      options.writeError(
        `no lead matches "${query}" in ${where}: try the email, the HubSpot contact id, the Salesforce Lead or Contact id, or the lead key (lb_...)\n`,
      );
      if (options.json) options.write(`${JSON.stringify(result, null, 2)}\n`);
      return EXIT.failure;
    }
    options.write(
      options.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `${result.results.map(formatExplanation).join('\n\n')}\n`,
    );
    return EXIT.ok;
  } finally {
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect());
  }
}
