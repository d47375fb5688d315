import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { hubspotWebhookRoutes } from './hubspot-webhook-route.ts';
import type { OutboundParsePool } from '../../connectors/salesforce/parse-pool.ts';
import { outboundMessageRoutes } from './salesforce-outbound-route.ts';
import type { IngestQueue } from '../../jobs/ingest-queue.ts';
import type { LeadBridgeConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/prometheus.ts';
import type { AuditTrail } from '../store/audit-trail.ts';
import { AdminAuth } from './admin-auth.ts';
import { finalErrorHandler, notFound } from './error-handler.ts';
import type { LeadLedger } from '../store/lead-ledger.ts';
import { healthRoutes } from './health-routes.ts';
import { loginRoutes } from './login-routes.ts';
import { securityHeaders } from './security-headers.ts';
import { explainRoutes } from './explain-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { statusRoutes } from './status-routes.ts';
import { registerStatusGauges } from './status-metrics.ts';
import type { EnginePrefixes } from '../../jobs/engine-runtime.ts';
import { lazyQueueDashboard, QUEUE_DASHBOARD_PATH } from './queue-dashboard.ts';

export interface AppDeps {
  config: LeadBridgeConfig;
  redis: Redis;
  ingestQueue: IngestQueue;
  metrics: Metrics;
  logger: Logger;
  /** LEADBRIDGE_PUBLIC_URL: the base URL callers use, for signature checks behind a proxy. */
  publicUrl?: string | undefined;
  /**
   * LEADBRIDGE_ADMIN_TOKEN: bearer token of the admin routes and the sign-in secret of `/login`; unset,
   * a placeholder or shorter than 24 characters means the admin routes answer 503.
   */
  adminToken?: string | undefined;
  /** LEADBRIDGE_REDIS_PREFIX: base of the admin sessions' and throttle's Redis keys (default `leadbridge`). */
  redisPrefix?: string | undefined;
  /** Clock for signature windows and timestamps (tests pass a fixed one). */
  now?: () => Date;
  /** Queues shown on the admin dashboard (`/admin/queues`); the ingest queue is always shown. */
  dashboardQueues?: Queue[];
  /** The store's audit trail, read by `GET /api/leads/:key/explain`; without it that route answers 503. */
  auditTrail?: AuditTrail | undefined;
  /** The lead ledgers, shown by explain next to the trail. */
  ledger?: LeadLedger | undefined;
  /** Key prefix of the state layer, read by `GET /report`; without it that route answers 503. */
  storePrefix?: string | undefined;
  /** The engine's key prefixes, read by `/status` and the status gauges; without them those are off. */
  prefixes?: EnginePrefixes | undefined;
  /** Where Outbound Message bodies are parsed; the server passes one it started (default: started on first use). */
  parsePool?: OutboundParsePool | undefined;
}

/**
 * The HTTP front door. Webhook routes keep the raw body for signature checks, so no global JSON body
 * parser is installed here; each route parses its own body.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  const auth = new AdminAuth({
    adminToken: deps.adminToken,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix ?? 'leadbridge',
    publicUrl: deps.publicUrl,
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const adminGuard = auth.guard;
  if (!auth.tokenCheck.ok) deps.logger.warn(`admin routes are off: ${auth.tokenCheck.problem}`);
  app.use(securityHeaders({ https: (deps.publicUrl ?? '').toLowerCase().startsWith('https:') }));
  app.use(healthRoutes(deps));
  app.use(hubspotWebhookRoutes(deps));
  app.use(outboundMessageRoutes(deps));
  app.use(loginRoutes(auth, deps.logger));
  app.use(
    QUEUE_DASHBOARD_PATH,
    adminGuard,
    lazyQueueDashboard(() => [deps.ingestQueue as unknown as Queue, ...(deps.dashboardQueues ?? [])]),
  );
  app.use(explainRoutes({ ...deps, adminGuard }));
  app.use(reportRoutes({ ...deps, adminGuard }));
  app.use(statusRoutes({ ...deps, adminGuard }));
  if (deps.prefixes) registerStatusGauges({ ...deps, prefixes: deps.prefixes });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use(notFound);
  app.use(finalErrorHandler(deps.logger));
  return app;
}
