import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import { EXIT } from '../exit-codes.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import {
  checkRedis,
  checkWebhookReachability,
  fromSetupChecks,
  type CheckStatus,
  type DoctorCheck,
} from './doctor-checks.ts';
import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { checkAdminToken } from '../../server/admin-token-policy.ts';
import { NO_SECRET_KEY_WARNING, tokenBox } from '../token-box.ts';
import { setupConnectors } from './setup-connectors.ts';
import { checkHubSpotWebhooks, checkSalesforceOutboundEndpoint } from './doctor-webhook-checks.ts';
import { danglingFieldReferences } from '../../config/cross-references.ts';

/**
 * Scoring rules and required fields must name a mapped (or computed) canonical field: a typo there
 * would otherwise score nothing or hold every lead at the gate, silently.
 */
export function configReferenceChecks(config: LeadBridgeConfig): DoctorCheck[] {
  const dangling = danglingFieldReferences(config);
  if (dangling.length === 0) {
    return [
      {
        group: 'config',
        name: 'field references',
        status: 'pass',
        detail: 'every scoring rule and required field names a mapped field',
      },
    ];
  }
  return dangling.map((reference) => ({
    group: 'config',
    name: reference.path,
    status: 'fail',
    detail: `"${reference.field}" is not a mapped field (fields[]: ${reference.known.join(', ')})`,
    fix: reference.suggestion
      ? `did you mean "${reference.suggestion}"? correct ${reference.path}, or add a fields[] mapping for "${reference.field}"`
      : `add a fields[] mapping for "${reference.field}" or correct ${reference.path}`,
  }));
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

const MARK: Record<CheckStatus, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '-' };

/** What `doctor --json` prints when the config cannot be loaded: the one failed check, with its fix. */
export function configFailureReport(configPath: string, error: Error): DoctorReport {
  return {
    ok: false,
    checks: [
      {
        group: 'config',
        name: 'loaded',
        status: 'fail',
        detail: `${configPath}: ${error.message}`,
        fix: 'correct each place named above (see leadbridge.config.example.yaml), then run `leadbridge doctor` again',
      },
    ],
  };
}

/** The checklist for people: one line per check, the fix under each failure or warning, then a tally. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => `${check.group}: ${check.name}`.length));
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARK[check.status]} ${`${check.group}: ${check.name}`.padEnd(width)}  ${check.detail}`);
    if (check.fix && (check.status === 'fail' || check.status === 'warn'))
      lines.push(`    fix: ${check.fix}`);
  }
  const count = (status: CheckStatus) => report.checks.filter((check) => check.status === status).length;
  lines.push(
    '',
    `${report.checks.length} checks: ${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped`,
    report.ok ? 'all checks passed' : 'some checks failed: see the fixes above',
  );
  return lines.join('\n');
}

/** Tokens at rest and the admin token: warnings, since the sync itself works without them. */
export function securityChecks(env: Pick<RuntimeEnv, 'secretKey' | 'adminToken'>): DoctorCheck[] {
  const admin = checkAdminToken(env.adminToken);
  return [
    env.secretKey
      ? {
          group: 'security',
          name: 'tokens at rest',
          status: 'pass',
          detail: 'sealed with LEADBRIDGE_SECRET_KEY (AES-256-GCM)',
        }
      : {
          group: 'security',
          name: 'tokens at rest',
          status: 'warn',
          detail: 'stored in Redis unencrypted',
          fix: NO_SECRET_KEY_WARNING.replace(
            /^LEADBRIDGE_SECRET_KEY is not set: [^;]*; /,
            'set LEADBRIDGE_SECRET_KEY: ',
          ),
        },
    admin.ok
      ? { group: 'security', name: 'admin token', status: 'pass', detail: 'admin routes and /login are on' }
      : {
          group: 'security',
          name: 'admin token',
          status: 'warn',
          detail: 'admin routes are off',
          fix: admin.problem,
        },
  ];
}

/** Every check after the config: Redis, each tenant's HubSpot and Salesforce setup, webhook reachability. */
export async function runDoctorChecks(
  config: LeadBridgeConfig,
  configPath: string,
  env: RuntimeEnv,
  logger: Logger,
): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [
    {
      group: 'config',
      name: 'loaded',
      status: 'pass',
      detail: `${configPath}: ${config.tenants.length} tenant(s) (${config.tenants.map((t) => t.id).join(', ')})`,
    },
  ];
  checks.push(...configReferenceChecks(config));
  checks.push(...securityChecks(env));
  const redis = createRedis(env.redisUrl, logger, { maxRetriesPerRequest: 1 });
  try {
    // Sessions the checks refresh go to the store `start` uses (a rotated refresh token works once).
    const answered = await Promise.race([
      redis.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
    ]);
    const connectors = setupConnectors(
      config,
      logger,
      answered
        ? { redis, keyPrefix: enginePrefixes(env.redisPrefix).connectors, secretBox: tokenBox(env) }
        : undefined,
    );
    const [redisChecks, tenantChecks, webhook] = await Promise.all([
      checkRedis(redis, env.redisUrl),
      Promise.all(
        [...connectors].map(async ([tenant, { hubspot, salesforce }]) => {
          const tenantConfig = config.tenants.find((entry) => entry.id === tenant)!;
          const [hubspotChecks, salesforceChecks, webhookChecks] = await Promise.all([
            hubspot.checkSetup(),
            salesforce.checkSetup(),
            checkHubSpotWebhooks(config, tenantConfig, env.publicUrl),
          ]);
          return [
            ...fromSetupChecks(`${tenant} hubspot`, hubspotChecks),
            ...webhookChecks,
            ...fromSetupChecks(`${tenant} salesforce`, salesforceChecks),
          ];
        }),
      ),
      Promise.all([checkWebhookReachability(env.publicUrl), checkSalesforceOutboundEndpoint(env.publicUrl)]),
    ]);
    checks.push(...redisChecks, ...tenantChecks.flat(), ...webhook);
  } finally {
    await closeGracefully(logger, [() => redis.quit()], () => redis.disconnect(), 1_000);
  }
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

/** `leadbridge doctor`: exit 0 when every check passes (warnings allowed), 1 otherwise. */
export async function runDoctor(
  config: LeadBridgeConfig,
  configPath: string,
  env: RuntimeEnv,
  logger: Logger,
  output: { json: boolean; write: (text: string) => void },
): Promise<number> {
  const report = await runDoctorChecks(config, configPath, env, logger);
  output.write(`${output.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report)}\n`);
  return report.ok ? EXIT.ok : EXIT.failure;
}
