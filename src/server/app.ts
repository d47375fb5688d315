import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { hubspotWebhookRoutes } from '../../connectors/hubspot/webhook.ts';
import { outboundMessageRoutes } from '../../connectors/salesforce/webhook.ts';
import type { IngestQueue } from '../../jobs/ingest-queue.ts';
import type { LeadBridgeConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/prometheus.ts';
import type { AuditTrail } from '../store/audit-trail.ts';
import type { LeadLedger } from '../store/lead-ledger.ts';
import { requireAdminToken } from './admin-auth.ts';
import { healthRoutes } from './health-routes.ts';
import { explainRoutes } from './explain-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { lazyQueueDashboard, QUEUE_DASHBOARD_PATH } from './queue-dashboard.ts';

export interface AppDeps {
  config: LeadBridgeConfig;
  redis: Redis;
  ingestQueue: IngestQueue;
  metrics: Metrics;
  logger: Logger;
  /** LEADBRIDGE_PUBLIC_URL: the base URL callers use, for signature checks behind a proxy. */
  publicUrl?: string | undefined;
  /** LEADBRIDGE_ADMIN_TOKEN: bearer token of the admin routes; unset means they answer 401. */
  adminToken?: string | undefined;
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
}

/**
 * The HTTP front door. Webhook routes keep the raw body for signature checks, so no global JSON body
 * parser is installed here; each route parses its own body.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(healthRoutes(deps));
  app.use(hubspotWebhookRoutes(deps));
  app.use(outboundMessageRoutes(deps));
  app.use(
    QUEUE_DASHBOARD_PATH,
    requireAdminToken(deps.adminToken),
    lazyQueueDashboard(() => [deps.ingestQueue as unknown as Queue, ...(deps.dashboardQueues ?? [])]),
  );
  app.use(explainRoutes(deps));
  app.use(reportRoutes(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return app;
}
