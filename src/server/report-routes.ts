import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../config/schema.ts';
import { Duration, durationMs } from '../domain/duration.ts';
import type { FunnelReport } from '../domain/report-schema.ts';
import type { Logger } from '../log/logger.ts';
import { loadReport } from '../store/report-leads.ts';
import { reportPage } from './report-page.ts';

export interface ReportRouteDeps {
  config: LeadBridgeConfig;
  redis: Redis;
  logger: Logger;
  /** The admin guard (`AdminAuth.guard`): bearer token or sign-in session. */
  adminGuard: RequestHandler;
  /** Key prefix of the state layer (`<LEADBRIDGE_REDIS_PREFIX>:store`); without it the routes answer 503. */
  storePrefix?: string | undefined;
  now?: () => Date;
}

/**
 * `GET /report` (a self-contained HTML page with charts) and `GET /report.json` (the same figures), both
 * behind the admin guard (bearer token, or a browser signed in at `/login`). Query: `tenant=<id>` for one tenant,
 * `since=<duration>` (e.g. `30d`) for the leads handed off in that time (`by=event`: what happened in it).
 */
export function reportRoutes(deps: ReportRouteDeps): Router {
  const router = Router();
  const tenantIds = deps.config.tenants.map((tenant) => tenant.id);

  async function report(req: Request, res: Response): Promise<FunnelReport | undefined> {
    if (deps.storePrefix === undefined) {
      res.status(503).json({ error: 'the report needs the store; this server was started without it' });
      return undefined;
    }
    const tenant =
      typeof req.query.tenant === 'string' && req.query.tenant !== '' ? req.query.tenant : undefined;
    if (tenant !== undefined && !tenantIds.includes(tenant)) {
      res.status(400).json({ error: `unknown tenant "${tenant}"; configured: ${tenantIds.join(', ')}` });
      return undefined;
    }
    const since = typeof req.query.since === 'string' && req.query.since !== '' ? req.query.since : undefined;
    const duration = since === undefined ? undefined : Duration.safeParse(since);
    if (duration && !duration.success) {
      res.status(400).json({ error: `since=${since}: expected a duration such as 7d, 24h or 4w` });
      return undefined;
    }
    const by = typeof req.query.by === 'string' && req.query.by !== '' ? req.query.by : 'handoff';
    if (by !== 'handoff' && by !== 'event') {
      res.status(400).json({ error: `by=${by}: expected "handoff" or "event"` });
      return undefined;
    }
    const now = deps.now?.() ?? new Date();
    const period = duration?.success
      ? { from: new Date(now.getTime() - durationMs(duration.data)).toISOString(), to: now.toISOString() }
      : undefined;
    try {
      return await loadReport(deps.redis, deps.config, {
        prefix: deps.storePrefix,
        tenants: tenant ? [tenant] : tenantIds,
        period,
        cohort: by,
        now,
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'report failed');
      res.status(500).json({ error: 'the report failed; the server log has the details' });
      return undefined;
    }
  }

  const guard = deps.adminGuard;
  router.get('/report.json', guard, async (req, res) => {
    const figures = await report(req, res);
    if (figures) res.set('cache-control', 'no-store').json(figures);
  });
  router.get('/report', guard, async (req, res) => {
    const figures = await report(req, res);
    if (!figures) return;
    res
      .set('cache-control', 'no-store')
      // Nothing on the page loads from anywhere: no scripts, inline styles and SVG only.
      .set(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      )
      .type('html')
      .send(reportPage(figures));
  });
  return router;
}
