import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliPath, exampleEnv, repoRoot, startCli, stop } from '../helpers/cli.ts';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const compose = parse(readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8')) as {
  services: Record<
    string,
    {
      command?: string[];
      env_file?: string;
      deploy?: { replicas?: number };
      healthcheck?: { disable?: boolean };
      environment?: Record<string, string>;
    }
  >;
};

/** The instructions of the Dockerfile's last stage, continuation lines joined. */
function finalStage(): string[] {
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'));
  const lastFrom = lines.map((line) => line.startsWith('FROM ')).lastIndexOf(true);
  return lines.slice(lastFrom);
}

function instruction(name: string): string | undefined {
  return finalStage()
    .find((line) => line.startsWith(`${name} `))
    ?.slice(name.length + 1);
}

/** ENV of the final stage as a map (`ENV A=1 B=2`). */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of finalStage().filter((l) => l.startsWith('ENV '))) {
    for (const match of line.slice(4).matchAll(/([A-Z_]+)=(\S+)/g)) env[match[1]!] = match[2]!;
  }
  return env;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe('deployment files', () => {
  it('the image is multi-stage, runs as a non-root user, has a health check and `leadbridge` as entrypoint', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(instruction('USER')).toBe('node');
    expect(instruction('HEALTHCHECK')).toMatch(/\/healthz/);
    expect(JSON.parse(instruction('ENTRYPOINT')!)).toEqual(['node', 'bin/leadbridge.js']);
    expect(JSON.parse(instruction('CMD')!)).toEqual(['serve']);
  });

  it("the image's command, run here with the image's environment, serves and passes the image's health check", async () => {
    const argv = [...JSON.parse(instruction('ENTRYPOINT')!), ...JSON.parse(instruction('CMD')!)] as string[];
    expect(argv.slice(0, 2)).toEqual(['node', 'bin/leadbridge.js']);
    const port = await freePort();
    const env = {
      ...exampleEnv(),
      ...imageEnv(),
      // What `docker run -e` / compose set on top of the image: a free port here, the example config.
      PORT: String(port),
      LEADBRIDGE_CONFIG: 'leadbridge.config.example.yaml',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    };
    expect(cliPath.endsWith('bin/leadbridge.js')).toBe(true);
    const server = await startCli(argv.slice(2), env, /listening on (http:\/\/\S+)/);
    try {
      expect(server.match[1]).toBe(`http://0.0.0.0:${port}`);
      const check = JSON.parse(instruction('HEALTHCHECK')!.replace(/^.*?CMD /, '')) as string[];
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, check.slice(1), {
          cwd: repoRoot,
          env: { PATH: process.env.PATH, PORT: String(port) },
        });
        child.on('close', resolve);
      });
      expect(code).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // LOG_FORMAT=json in the image: log lines are JSON for the container's log driver.
      const logLines = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      const records = logLines.map((line) => JSON.parse(line) as { msg?: string });
      expect(records.map((record) => record.msg)).toContain('leadbridge server listening');
    } finally {
      expect(await stop(server.child)).toBe(0);
    }
  });

  it('compose runs Redis with AOF and noeviction, one server and several workers from one env file', () => {
    const { redis, serve, worker } = compose.services;
    expect(redis?.command).toEqual([
      'redis-server',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ]);
    expect(serve?.command).toEqual(['serve']);
    expect(serve?.env_file).toBe('.env');
    expect(serve?.environment?.LEADBRIDGE_HOST).toBe('0.0.0.0');
    expect(worker?.command).toEqual(['worker']);
    expect(worker?.env_file).toBe('.env');
    expect(worker?.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker?.healthcheck?.disable).toBe(true);
  });
});
