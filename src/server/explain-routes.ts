import { Router, type RequestHandler } from 'express';
import type { LeadBridgeConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { AuditTrail } from '../store/audit-trail.ts';
import type { LeadLedger } from '../store/lead-ledger.ts';
import { explainLead } from './explain-lookup.ts';

export interface ExplainRouteDeps {
  config: LeadBridgeConfig;
  logger: Logger;
  /** The admin guard (`AdminAuth.guard`): bearer token or sign-in session. */
  adminGuard: RequestHandler;
  /** The store's audit trail; without it the route answers 503. */
  auditTrail?: AuditTrail | undefined;
  /** The lead ledgers, shown with the trail when given. */
  ledger?: LeadLedger | undefined;
}

/** Entries returned at most per lead (the trail keeps 500 by default). */
const MAX_LIMIT = 500;

/**
 * `GET /api/leads/:key/explain[?tenant=<id>][&limit=<n>]` (admin token): the `leadbridge explain` history as
 * JSON, `{ query, results: [{ tenant, link, entries, unreadable }] }`; every tenant is searched unless
 * `tenant` is given; 404 when no tenant knows the email or id.
 */
export function explainRoutes(deps: ExplainRouteDeps): Router {
  const router = Router();
  const tenantIds = deps.config.tenants.map((tenant) => tenant.id);
  router.get('/api/leads/:key/explain', deps.adminGuard, async (req, res) => {
    if (!deps.auditTrail) {
      res.status(503).json({ error: 'explain needs the store; this server was started without it' });
      return;
    }
    const query = String(req.params.key);
    const tenant = typeof req.query.tenant === 'string' ? req.query.tenant : undefined;
    if (tenant !== undefined && !tenantIds.includes(tenant)) {
      res.status(400).json({ error: `unknown tenant "${tenant}"; configured: ${tenantIds.join(', ')}` });
      return;
    }
    let limit: number | undefined;
    if (req.query.limit !== undefined) {
      limit = Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        res.status(400).json({ error: `limit is a whole number from 1 to ${MAX_LIMIT}` });
        return;
      }
    }
    try {
      const result = await explainLead(
        deps.auditTrail,
        tenant ? [tenant] : tenantIds,
        query,
        limit,
        deps.ledger,
      );
      if (result.results.length === 0) {
        res.status(404).json({ error: `no lead matches "${query}"`, query });
        return;
      }
      res.json(result);
    } catch (error) {
      deps.logger.error({ err: error, query }, 'explain failed');
      res.status(500).json({ error: 'explain failed; the server log has the details' });
    }
  });
  return router;
}
