import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/prometheus.ts';
import type { RuntimeEnv } from '../runtime-env.ts';
import { startServer, type RunningServer } from './serve.ts';
import { startEngineWorkers } from './worker.ts';

/**
 * `leadbridge start`: the server and the workers in one process, sharing one metrics registry so
 * `/metrics` counts the workers' API calls too. `close` stops accepting requests first, then lets the
 * running jobs finish, then closes queues and Redis.
 */
export async function startAll(
  config: LeadBridgeConfig,
  env: RuntimeEnv,
  logger: Logger,
  port = env.port,
  host = env.host,
): Promise<RunningServer> {
  const metrics = new Metrics();
  const workers = await startEngineWorkers(config, env, logger, { metrics });
  let server: RunningServer;
  try {
    server = await startServer(config, env, logger, port, metrics, host);
  } catch (error) {
    await workers.close();
    throw error;
  }
  return {
    url: server.url,
    async close() {
      await server.close();
      await workers.close();
    },
  };
}
