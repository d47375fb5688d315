import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { IngestQueue } from '../../jobs/ingest-queue.ts';
import { LeadBridgeConfig } from '../../src/config/schema.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { Metrics } from '../../src/metrics/prometheus.ts';
import { createApp } from '../../src/server/app.ts';
import { AuditTrail } from '../../src/store/audit-trail.ts';
import { LeadLinks } from '../../src/store/lead-links.ts';
import { deleteKeys } from './emulators.ts';

export const HOSTILE_ORG = '00D5g000004LBdgEAG';
export const HOSTILE_SECRET = 'hubspot-app-client-secret';
export const HOSTILE_ADMIN_TOKEN = 'hst-3Jd8Kq1Wz6Xc4Vb9Nm2Lp7Rt';
export const HOSTILE_PORTAL = 62515;

/** Everything a refused or accepted request may leave behind: the events it enqueued. */
export interface HostileApp {
  app: ReturnType<typeof createApp>;
  redis: Redis;
  prefix: string;
  enqueued: ChangeEvent[];
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * The whole LeadBridge app (every route, the final error handler, the admin guard) with a queue that
 * records what it is given, one tenant with a HubSpot client secret and a Salesforce org, on real Redis
 * under a prefix of its own. For tests that throw hostile requests at it.
 */
export function hostileApp(name: string): HostileApp {
  const prefix = `lbtest-hostile-${name}-${process.pid}-${Date.now()}`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const enqueued: ChangeEvent[] = [];
  const ingestQueue = {
    addBulk: async (jobs: Array<{ data: ChangeEvent }>) => {
      enqueued.push(...jobs.map((job) => job.data));
      return jobs;
    },
    getWaitingCount: async () => enqueued.length,
  } as unknown as IngestQueue;
  const config = LeadBridgeConfig.parse({
    tenants: [
      {
        id: 'acme',
        hubspot: { accessToken: 't', clientSecret: HOSTILE_SECRET, portalId: HOSTILE_PORTAL },
        salesforce: { orgId: HOSTILE_ORG, accessToken: 't', instanceUrl: 'https://acme.my.salesforce.com' },
      },
    ],
  });
  const store = { prefix: `${prefix}:store` };
  const metrics = new Metrics({ collectDefaults: false });
  const app = createApp({
    config,
    redis,
    ingestQueue,
    metrics,
    logger: silentLogger(),
    adminToken: HOSTILE_ADMIN_TOKEN,
    redisPrefix: prefix,
    auditTrail: new AuditTrail(redis, new LeadLinks(redis, store), store),
    storePrefix: store.prefix,
  });
  return {
    app,
    redis,
    prefix,
    enqueued,
    metrics,
    async close() {
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

/** Listens on a free port; returns its base URL and a close function. */
export async function listen(app: HostileApp['app']): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether a response body shows anything of the server's insides: a stack frame, a source path. */
export function leaksInternals(body: string): boolean {
  return /\n\s+at |node_modules|\/work\/|\/home\/|\.ts:\d+|\.js:\d+|(Type|Range|Reference|Syntax|URI)Error/.test(
    body,
  );
}
