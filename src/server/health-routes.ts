import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { IngestQueue } from '../../jobs/ingest-queue.ts';

const READY_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** `/healthz`: the process is up. `/readyz`: Redis and the queues answer, so work can be accepted. */
export function healthRoutes(deps: { redis: Redis; ingestQueue: IngestQueue }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await withTimeout(deps.redis.ping(), READY_TIMEOUT_MS, 'redis');
      checks.redis = 'ok';
    } catch (error) {
      ready = false;
      checks.redis = (error as Error).message;
    }
    try {
      await withTimeout(deps.ingestQueue.getWaitingCount(), READY_TIMEOUT_MS, 'ingest queue');
      checks.queues = 'ok';
    } catch (error) {
      ready = false;
      checks.queues = (error as Error).message;
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}
