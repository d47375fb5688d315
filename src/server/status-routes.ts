import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Redis } from 'ioredis';
import { createConnectors } from '../../connectors/index.ts';
import type { EnginePrefixes } from '../../jobs/engine-runtime.ts';
import { connectorOwnerLookup } from '../../jobs/status/owner-lookup.ts';
import { buildStatus, type StatusReport } from '../../jobs/status/status-report.ts';
import type { LeadBridgeConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/prometheus.ts';
import { ADMIN_PAGE_CSP } from './admin-page.ts';
import { effectiveSettings, settingsPage } from './settings-page.ts';
import { statusPage } from './status-page.ts';

export interface StatusRouteDeps {
  config: LeadBridgeConfig;
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
  /** The admin guard every admin route uses (bearer token or sign-in cookie). */
  adminGuard: RequestHandler;
  /** Key prefixes of the engine (`enginePrefixes(LEADBRIDGE_REDIS_PREFIX)`); without them /status answers 503. */
  prefixes?: EnginePrefixes | undefined;
  now?: () => Date;
}

/**
 * `GET /status` and `/status.json` (what `leadbridge status` shows), `GET /settings` and `/settings.json`
 * (the effective mappings, ownership, scoring and SLA, read-only). All behind the admin guard the other
 * admin routes use, so a change of sign-in applies to them too.
 */
export function statusRoutes(deps: StatusRouteDeps): Router {
  const router = Router();
  const tenantIds = deps.config.tenants.map((tenant) => tenant.id);
  let ownerLookup: ReturnType<typeof connectorOwnerLookup> | undefined;

  async function status(req: Request, res: Response): Promise<StatusReport | undefined> {
    if (!deps.prefixes) {
      res.status(503).json({ error: 'the status needs the store; this server was started without it' });
      return undefined;
    }
    const tenant =
      typeof req.query.tenant === 'string' && req.query.tenant !== '' ? req.query.tenant : undefined;
    if (tenant !== undefined && !tenantIds.includes(tenant)) {
      res.status(400).json({ error: `unknown tenant "${tenant}"; configured: ${tenantIds.join(', ')}` });
      return undefined;
    }
    ownerLookup ??= connectorOwnerLookup(
      createConnectors(deps.config, {
        redis: deps.redis,
        keyPrefix: deps.prefixes.connectors,
        recorder: deps.metrics,
        logger: deps.logger,
      }),
    );
    try {
      return await buildStatus(deps.redis, deps.config, {
        prefixes: deps.prefixes,
        tenants: tenant ? [tenant] : tenantIds,
        ownerLookup,
        ...(deps.now ? { now: deps.now() } : {}),
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'status failed');
      res.status(500).json({ error: 'the status could not be read; see the server log' });
      return undefined;
    }
  }

  const guard = deps.adminGuard;
  router.get('/status.json', guard, async (req, res) => {
    const report = await status(req, res);
    if (report) res.set('cache-control', 'no-store').json(report);
  });
  router.get('/status', guard, async (req, res) => {
    const report = await status(req, res);
    if (report)
      res
        .set('cache-control', 'no-store')
        .set('content-security-policy', ADMIN_PAGE_CSP)
        .type('html')
        .send(statusPage(report));
  });
  router.get('/settings.json', guard, (_req, res) => {
    res.set('cache-control', 'no-store').json(effectiveSettings(deps.config));
  });
  router.get('/settings', guard, (_req, res) => {
    res
      .set('cache-control', 'no-store')
      .set('content-security-policy', ADMIN_PAGE_CSP)
      .type('html')
      .send(settingsPage(deps.config));
  });
  return router;
}
