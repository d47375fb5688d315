import { createConnection, createServer } from 'node:net';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/cli/demo/private-redis.ts';
import { runCli } from '../helpers/cli.ts';

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('leadbridge demo without a Redis at REDIS_URL', () => {
  it.skipIf(findOnPath('redis-server') === null)(
    'starts a private redis-server from PATH, completes the story, and stops it afterwards',
    async () => {
      const port = await closedPort();
      const result = await runCli(
        ['demo', '--port', '0'],
        { REDIS_URL: `redis://127.0.0.1:${port}` },
        55_000,
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const privatePort = Number(
        result.stdout.match(
          /no Redis answered at redis:\/\/127\.0\.0\.1:\d+: started a private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/,
        )?.[1],
      );
      expect(privatePort).toBeGreaterThan(0);
      expect(privatePort).not.toBe(port);
      expect(result.stdout).toMatch(/rep rejected Sam Ortiz: 'No budget this year'/);
      expect(result.stdout).toMatch(/removing the private redis-server/);
      expect(await answers(privatePort)).toBe(false);
    },
    60_000,
  );

  it('exits 2 with how to install Redis when there is no redis-server on PATH', async () => {
    const port = await closedPort();
    // Only node's own folder: no redis-server there.
    const path = dirname(process.execPath);
    expect(findOnPath('redis-server', path)).toBeNull();
    const result = await runCli(['demo', '--port', '0'], {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      PATH: path,
    });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(`none answered at REDIS_URL (redis://127.0.0.1:${port})`);
    expect(result.stderr).toMatch(/no redis-server on PATH/);
    expect(result.stderr).toMatch(/apt-get install redis-server/);
    expect(result.stderr).toMatch(/brew install redis/);
    expect(result.stdout).not.toMatch(/✔ start the HubSpot/);
  });
});
