import type { LeadBridgeConfig } from '../config/schema.ts';
import { UsageError } from './usage-error.ts';

/** The one wording for a tenant id the config does not have (CLI and HTTP routes). */
export function unknownTenantMessage(tenant: string, configured: string[]): string {
  return `unknown tenant "${tenant}"; configured: ${configured.join(', ')}`;
}

/** The config with only `tenant` (all tenants when undefined); an unknown id is a usage error (exit 2). */
export function onlyTenant(config: LeadBridgeConfig, tenant: string | undefined): LeadBridgeConfig {
  if (tenant === undefined) return config;
  const ids = config.tenants.map((entry) => entry.id);
  const chosen = config.tenants.filter((entry) => entry.id === tenant);
  if (chosen.length === 0) throw new UsageError(`--tenant: ${unknownTenantMessage(tenant, ids)}`);
  return { ...config, tenants: chosen };
}
