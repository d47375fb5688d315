import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../../jobs/queue-names.ts';
import type { Server } from 'node:http';
import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { createIngestQueue } from '../../../jobs/ingest-queue.ts';
import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import { createApp } from '../../server/app.ts';
import { AuditTrail } from '../../store/audit-trail.ts';
import { LeadLedger } from '../../store/lead-ledger.ts';
import { LeadLinks } from '../../store/lead-links.ts';
import { closeGracefully, createRedis } from '../../store/redis.ts';
import type { RuntimeEnv } from '../runtime-env.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP server; resolves once it listens. `close` stops accepting, then closes queues and Redis. */
export async function startServer(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  port = env.port,
  metrics = new Metrics(),
): Promise<RunningServer> {
  const redis = createRedis(env.redisUrl, logger);
  const ingestQueue = createIngestQueue(redis, logger, env.redisPrefix);
  // Handles for the dashboard only: the workers own these queues' jobs, the server just shows them.
  const dashboardQueues = [QUEUE_NAMES.reconcile, QUEUE_NAMES.poll, QUEUE_NAMES.timers].map(
    (name) => new Queue(name, { connection: redis, prefix: env.redisPrefix }),
  );
  // The same store keys the workers write (jobs/engine-runtime.ts), read for /api/leads/:key/explain.
  const store = { prefix: enginePrefixes(env.redisPrefix).store };
  const auditTrail = new AuditTrail(redis, new LeadLinks(redis, store), store);
  const app = createApp({
    config,
    redis,
    ingestQueue,
    metrics,
    logger,
    publicUrl: env.publicUrl,
    adminToken: env.adminToken,
    dashboardQueues,
    auditTrail,
    ledger: new LeadLedger(redis, store),
    storePrefix: store.prefix,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  logger.info({ url, tenants: config.tenants.map((tenant) => tenant.id) }, 'leadbridge server listening');
  return {
    url,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await closeGracefully(
        logger,
        [
          () => ingestQueue.close(),
          ...dashboardQueues.map((queue) => () => queue.close()),
          () => redis.quit(),
        ],
        () => redis.disconnect(),
      );
    },
  };
}
