import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { openRedis } from '../../store/redis.ts';
import { freePort } from './free-port.ts';

/** What `demo` prints when no Redis answers and there is no redis-server to start. */
export const REDIS_INSTALL_HELP = [
  'leadbridge demo needs Redis 7 or newer, and none answered at REDIS_URL (%URL%)',
  'and there is no redis-server on PATH to start a private one. Install Redis, then run the demo again:',
  '  macOS:          brew install redis',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  Fedora/RHEL:    sudo dnf install redis',
  '  Docker:         docker run -d -p 6379:6379 redis:7   (then the demo uses redis://127.0.0.1:6379)',
  'or point REDIS_URL at a Redis you already run.',
].join('\n');

/** No Redis answered and none can be started here; the message says how to install one. */
export class RedisUnavailableError extends Error {
  constructor(url: string) {
    super(REDIS_INSTALL_HELP.replace('%URL%', url));
    this.name = 'RedisUnavailableError';
  }
}

export interface DemoRedis {
  url: string;
  /** True when the demo started its own redis-server (it stops it and removes its folder on close). */
  private: boolean;
  close(): Promise<void>;
}

/** Whether a Redis answers PING at `url` within `timeoutMs`; never retries, never throws. */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const redis = openRedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The first executable named `name` in the PATH folders, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await redisAnswers(url, 500)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the private redis-server did not answer within ${timeoutMs} ms`);
}

/**
 * The Redis the demo uses: the one at `url` when it answers; otherwise a private `redis-server` from PATH
 * on a free port, with its files in a fresh temporary folder and persistence off (the demo's data is
 * thrown away). Throws RedisUnavailableError when neither is possible.
 */
export async function ensureRedis(url: string, options: { path?: string } = {}): Promise<DemoRedis> {
  if (await redisAnswers(url)) return { url, private: false, close: async () => {} };
  const binary = findOnPath('redis-server', options.path ?? process.env.PATH);
  if (!binary) throw new RedisUnavailableError(url);

  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'leadbridge-demo-redis-'));
  // https://redis.io/docs/latest/operate/oss_and_stack/management/config/ - options as arguments.
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(privateUrl, child, 10_000);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: privateUrl, private: true, close };
}
