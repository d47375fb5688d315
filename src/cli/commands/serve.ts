import { Queue } from 'bullmq';
import { QUEUE_NAMES, queuePrefix } from '../../../jobs/queue-names.ts';
import { createServer, type Server } from 'node:http';
import { enginePrefixes } from '../../../jobs/engine-runtime.ts';
import { OutboundParsePool } from '../../../connectors/salesforce/parse-pool.ts';
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
import { StartupError } from '../startup-error.ts';

export interface RunningServer {
  /** The address actually bound, e.g. `http://127.0.0.1:3000` or `http://[::]:3000`. */
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
  host = env.host,
): Promise<RunningServer> {
  const redis = createRedis(env.redisUrl, logger);
  const ingestQueue = createIngestQueue(redis, logger, env.redisPrefix);
  // Handles for the dashboard only: the workers own these queues' jobs, the server just shows them.
  const dashboardQueues = (['reconcile', 'poll', 'timers'] as const).map(
    (role) => new Queue(QUEUE_NAMES[role], { connection: redis, prefix: queuePrefix(env.redisPrefix, role) }),
  );
  // The same store keys the workers write (jobs/engine-runtime.ts), read for /api/leads/:key/explain.
  const store = { prefix: enginePrefixes(env.redisPrefix).store };
  const auditTrail = new AuditTrail(redis, new LeadLinks(redis, store), store);
  // Loaded now, not when the first Outbound Message (perhaps a rep's rejection) is already waiting.
  const parsePool = new OutboundParsePool();
  parsePool.start();
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
    prefixes: enginePrefixes(env.redisPrefix),
    parsePool,
  });
  let server: Server;
  try {
    server = await listen(createServer(app), port, host);
  } catch (error) {
    await closeGracefully(
      logger,
      [
        () => parsePool.close(),
        () => ingestQueue.close(),
        ...dashboardQueues.map((queue) => () => queue.close()),
        () => redis.quit(),
      ],
      () => redis.disconnect(),
      1_000,
    );
    throw error;
  }
  const url = boundUrl(server);
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
          () => parsePool.close(),
          () => ingestQueue.close(),
          ...dashboardQueues.map((queue) => () => queue.close()),
          () => redis.quit(),
        ],
        () => redis.disconnect(),
      );
    },
  };
}

/** `http://host:port` of what the server really bound (IPv6 in brackets). */
export function boundUrl(server: Server): string {
  const address = server.address();
  if (typeof address !== 'object' || address === null) return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the port is in use by another process: stop it, or pick another port with --port or PORT',
  EACCES: 'not allowed to bind it (ports below 1024 need privileges): pick another port with --port or PORT',
  EADDRNOTAVAIL: 'this machine has no such address: pick another with --host or LEADBRIDGE_HOST',
  ENOTFOUND: 'the host name does not resolve: pick another with --host or LEADBRIDGE_HOST',
};

/** Listens, or throws a StartupError naming the address and the fix (a busy port never looks like success). */
function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const problem = (error.code && LISTEN_PROBLEMS[error.code]) ?? error.message;
      reject(new StartupError(`cannot listen on ${host}:${port} (${error.code ?? 'error'}): ${problem}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}
