import type { InstallAction } from '../../../connectors/hubspot/install.ts';
import type { SetupCheck } from '../../../connectors/types.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { EXIT } from '../exit-codes.ts';
import { formatFieldsToAdd, salesforceFieldsToAdd, type FieldToAdd } from './install-salesforce-fields.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { setupConnectors, withSharedSessions, type SharedSessions } from './setup-connectors.ts';
import { hubspotWebhookGuide, salesforceOutboundGuide } from './doctor-webhook-checks.ts';

/** The checks whose failure means the credentials (or the host) are wrong, not the set-up. */
const CREDENTIAL_CHECKS = new Set(['hubspot api access', 'hubspot api version', 'salesforce.credentials']);

export interface TenantInstall {
  tenant: string;
  /** What was created in HubSpot (`done`), or would be with --dry-run. */
  hubspot: InstallAction[];
  /** Salesforce fields an admin must add in Setup. */
  salesforceFieldsToAdd: FieldToAdd[];
  /** Checks still failing afterwards (HubSpot re-checked after creating; Salesforce as found). */
  failing: SetupCheck[];
}

export interface InstallReport {
  dryRun: boolean;
  /** True when every check passes afterwards (with --dry-run: when only creatable things are missing). */
  ok: boolean;
  /** Set when the credentials were refused: nothing was written. */
  credentialsRefused?: SetupCheck[];
  tenants: TenantInstall[];
  /** What to set up by hand so changes arrive by webhook (neither API lets `install` do it for a private app). */
  webhookSetup?: { hubspot: string; salesforce: string };
}

function actionText(action: InstallAction, dryRun: boolean): string {
  const what = action.action === 'create_group' ? 'property group' : 'contact property';
  return `  ${dryRun ? 'would create' : 'created'} HubSpot ${what} ${action.name}`;
}

function checkText(check: SetupCheck): string {
  return `  ✖ ${check.name}: ${check.detail}${check.fix ? `\n      fix: ${check.fix}` : ''}`;
}

export function formatInstallReport(report: InstallReport): string {
  if (report.credentialsRefused) {
    return ['credentials refused; nothing was written:', ...report.credentialsRefused.map(checkText)].join(
      '\n',
    );
  }
  const lines: string[] = [];
  for (const tenant of report.tenants) {
    lines.push(`tenant ${tenant.tenant}${report.dryRun ? ' (dry run: nothing written)' : ''}`);
    if (tenant.hubspot.length === 0)
      lines.push('  HubSpot: the leadbridge group and properties are in place');
    lines.push(...tenant.hubspot.map((action) => actionText(action, report.dryRun)));
    lines.push(...formatFieldsToAdd(tenant.salesforceFieldsToAdd));
    const listed = new Set(tenant.salesforceFieldsToAdd.map((field) => `salesforce.Lead.${field.apiName}`));
    lines.push(...tenant.failing.filter((check) => !listed.has(check.name)).map(checkText));
    if (!tenant.failing.some((check) => check.name.startsWith('salesforce'))) {
      lines.push('  Salesforce: fields, statuses and API access are in place');
    }
  }
  if (report.webhookSetup) {
    lines.push(
      'webhooks (by hand; `leadbridge doctor` checks what it can):',
      `  HubSpot: ${report.webhookSetup.hubspot}`,
      `  Salesforce: ${report.webhookSetup.salesforce}`,
    );
  }
  lines.push(
    report.ok
      ? report.dryRun
        ? 'ready: run without --dry-run to create what is listed'
        : 'everything LeadBridge needs is in place'
      : 'not ready: do what is listed above, then run `leadbridge install` again',
  );
  return lines.join('\n');
}

/**
 * Checks both tenants' credentials first (refused -> nothing written), then creates the HubSpot group and
 * properties, re-checks HubSpot, and lists the Salesforce fields to add by hand.
 */
export async function installTenants(
  config: LeadBridgeConfig,
  logger: Logger,
  dryRun: boolean,
  shared?: SharedSessions,
): Promise<InstallReport> {
  const connectors = [...setupConnectors(config, logger, shared)];
  const before = await Promise.all(
    connectors.map(async ([tenant, { hubspot, salesforce }]) => ({
      tenant,
      hubspot: await hubspot.checkSetup(),
      salesforce: await salesforce.checkSetup(),
    })),
  );
  const refused = before.flatMap(({ tenant, hubspot, salesforce }) =>
    [...hubspot, ...salesforce]
      .filter((check) => !check.ok && CREDENTIAL_CHECKS.has(check.name))
      .map((check) => ({ ...check, name: `${tenant} ${check.name}` })),
  );
  if (refused.length > 0) return { dryRun, ok: false, credentialsRefused: refused, tenants: [] };

  const tenants: TenantInstall[] = [];
  for (const [index, [tenant, { hubspot }]] of connectors.entries()) {
    const checked = before[index]!;
    const actions = await hubspot.install({ dryRun });
    // After a real run HubSpot must now pass (a property of the wrong type still fails); a dry run only
    // knows what it would create, so those checks are left out of "failing".
    const hubspotFailing = dryRun
      ? checked.hubspot.filter((check) => !check.ok && !/missing/.test(check.detail))
      : (await hubspot.checkSetup()).filter((check) => !check.ok);
    const salesforceFailing = checked.salesforce.filter((check) => !check.ok);
    tenants.push({
      tenant,
      hubspot: actions,
      salesforceFieldsToAdd: salesforceFieldsToAdd(checked.salesforce, config.customFields.salesforce),
      failing: [...hubspotFailing, ...salesforceFailing],
    });
  }
  return { dryRun, ok: tenants.every((tenant) => tenant.failing.length === 0), tenants };
}

/** `leadbridge install [--dry-run]`: 0 when everything is in place, 1 when something must be done by hand, 2 when credentials are refused. */
export async function runInstall(
  config: LeadBridgeConfig,
  logger: Logger,
  options: { dryRun: boolean; json: boolean; publicUrl?: string | undefined; write: (text: string) => void },
  env?: Pick<RuntimeEnv, 'redisUrl' | 'redisPrefix' | 'secretKey'>,
): Promise<number> {
  const installed = env
    ? await withSharedSessions(env, logger, (shared) =>
        installTenants(config, logger, options.dryRun, shared),
      )
    : await installTenants(config, logger, options.dryRun);
  const report: InstallReport = installed.credentialsRefused
    ? installed
    : {
        ...installed,
        webhookSetup: {
          hubspot: hubspotWebhookGuide(config, options.publicUrl),
          salesforce: salesforceOutboundGuide(options.publicUrl),
        },
      };
  options.write(`${options.json ? JSON.stringify(report, null, 2) : formatInstallReport(report)}\n`);
  if (report.credentialsRefused) return EXIT.usage;
  return report.ok ? EXIT.ok : EXIT.failure;
}
