// Starting N LeadBridge workers on one Redis, for the scale-out figures of the bench (2 workers vs 1 on
// one tenant) and for the edit-latency scenario. Two ways: in this process (N engines, each with its own
// Redis connections, as N machines would have; they share this process's CPU) or as N child processes
// running `leadbridge worker` (separate CPUs: what "2 worker processes vs 1" measures).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ReconcileBatch } from '../jobs/engine.ts';
import { reconcileBatch } from '../jobs/reconcile/reconcile-batch.ts';
import { startWorkers, type EngineWorkers, type WorkerConcurrency } from '../jobs/workers.ts';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import { silentLogger } from '../src/log/logger.ts';
import { Metrics } from '../src/metrics/prometheus.ts';

export interface WorkerPoolOptions {
  /** Workers to start (each one engine over its own connections). */
  workers: number;
  redisUrl: string;
  /** Key base shared by every worker (and by whatever feeds them). */
  prefix: string;
  concurrency?: WorkerConcurrency;
  /** The reconcile step (default the real one); wrap it to count or time batches. */
  reconcile?: ReconcileBatch;
}

export interface WorkerPool {
  workers: EngineWorkers[];
  close(): Promise<void>;
}

/** N workers in this process; `workers[0].queues.ingest` takes change events for all of them. */
export async function startWorkerPool(
  config: LeadBridgeConfig,
  options: WorkerPoolOptions,
): Promise<WorkerPool> {
  const workers: EngineWorkers[] = [];
  for (let i = 0; i < options.workers; i++) {
    workers.push(
      await startWorkers(config, {
        redisUrl: options.redisUrl,
        logger: silentLogger(),
        metrics: new Metrics({ collectDefaults: false }),
        reconcileBatch: options.reconcile ?? reconcileBatch,
        prefix: options.prefix,
        schedulePolls: false,
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      }),
    );
  }
  return { workers, close: async () => void (await Promise.all(workers.map((worker) => worker.close()))) };
}

export interface WorkerProcesses {
  children: ChildProcess[];
  /** SIGTERM to each child, then waits for it to exit (graceful: running batches finish). */
  close(): Promise<void>;
}

/**
 * N `leadbridge worker` processes on `configPath` (env: REDIS_URL, LEADBRIDGE_REDIS_PREFIX and whatever
 * the config reads), each on its own CPU when the machine has them. Output goes to this process's stderr.
 */
export function spawnWorkerProcesses(
  count: number,
  configPath: string,
  env: Record<string, string>,
): WorkerProcesses {
  const cli = fileURLToPath(new URL('../bin/leadbridge.js', import.meta.url));
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [cli, 'worker', '--config', configPath], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  return {
    children,
    async close() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await once(child, 'exit');
        }),
      );
    },
  };
}
