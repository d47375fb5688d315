import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleEnv, runCli, startCli, stop } from '../helpers/cli.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens on port 1. */
const DEAD_REDIS = 'redis://127.0.0.1:1';
const EXAMPLE = ['--config', 'leadbridge.config.example.yaml'];

/** A stack frame line, as Node prints them. */
const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('robust start (built CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'leadbridge-start-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serve on a busy port exits 2 with one line naming the address and the fix, never "listening"', async () => {
    const busy = await new Promise<Server>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', ...EXAMPLE, '--port', String(port)], {
        ...exampleEnv(),
        REDIS_URL,
        // With a real key and admin token there are no warnings (tokens in clear, admin routes off), so
        // the one line is the error.
        LEADBRIDGE_SECRET_KEY: 'k'.repeat(44),
        LEADBRIDGE_ADMIN_TOKEN: 'q7Vx2LmP9sKd4RtY8wZc3NbHj6Fe',
      });
      expect(result.code).toBe(2);
      expect(result.stdout).not.toContain('listening');
      const lines = nonEmptyLines(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\).*--port`),
      );
    } finally {
      busy.close();
    }
  });

  it('PORT=abc exits 2 at once with one line', async () => {
    const result = await runCli(['serve', ...EXAMPLE], { ...exampleEnv(), REDIS_URL, PORT: 'abc' });
    expect(result.code).toBe(2);
    expect(nonEmptyLines(result.stderr)).toEqual([
      'PORT=abc: a port is a whole number 0-65535 (or pass --port)',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it.each([
    ['report'],
    ['sync', '--once'],
    ['backfill'],
    ['explain', 'someone@example.org'],
    ['worker'],
    ['start', '--port', '0'],
  ])('Redis down: `%s` exits 2 with one line and the fix, no stack', async (...args) => {
    const result = await runCli([...args, ...EXAMPLE], { ...exampleEnv(), REDIS_URL: DEAD_REDIS }, 20_000);
    expect(result.code).toBe(2);
    const lines = nonEmptyLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Redis does not answer at redis:\/\/127\.0\.0\.1:1\/? \(ECONNREFUSED\): .*REDIS_URL/,
    );
    expect(result.stdout).toBe('');
  });

  it('Redis down: serve starts and says so in one line, without a stack', async () => {
    const server = await startCli(
      ['serve', ...EXAMPLE, '--port', '0'],
      { ...exampleEnv(), REDIS_URL: DEAD_REDIS, LOG_LEVEL: 'info' },
      /listening on (http:\/\/\S+)/,
    );
    try {
      const ready = await fetch(`${server.match[1]}/readyz`);
      expect(ready.status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const output = server.output();
      expect(output).toMatch(/Redis does not answer at .*\/readyz answers 503/);
      expect(output).not.toMatch(STACK_FRAME);
    } finally {
      await stop(server.child);
    }
  });

  it('logs are readable lines by default and JSON only with --log-format json', async () => {
    const env = { ...exampleEnv(), REDIS_URL, LOG_LEVEL: 'info' };
    const human = await startCli(['serve', ...EXAMPLE, '--port', '0'], env, /listening on (http:\/\/\S+)/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const humanLog = human.output();
    await stop(human.child);
    expect(humanLog).toMatch(/\d\d:\d\d:\d\d info {2}leadbridge server listening/);
    expect(humanLog).not.toMatch(/^\{"level"/m);

    const json = await startCli(
      ['serve', ...EXAMPLE, '--port', '0', '--log-format', 'json'],
      env,
      /listening on (http:\/\/\S+)/,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const jsonLog = json.output();
    await stop(json.child);
    const jsonLines = jsonLog.split('\n').filter((line) => line.startsWith('{'));
    const records = jsonLines.map((line) => JSON.parse(line) as { msg?: string });
    expect(records.map((record) => record.msg)).toContain('leadbridge server listening');

    const bad = await runCli(['serve', ...EXAMPLE, '--log-format', 'xml'], env);
    expect(bad.code).toBe(2);
  });

  it('serve --host binds that interface and prints the address it really bound', async () => {
    const server = await startCli(
      ['serve', ...EXAMPLE, '--port', '0', '--host', '0.0.0.0'],
      { ...exampleEnv(), REDIS_URL },
      /listening on (http:\/\/\S+)/,
    );
    try {
      expect(server.match[1]).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    } finally {
      await stop(server.child);
    }
    const local = await startCli(
      ['serve', ...EXAMPLE, '--port', '0'],
      { ...exampleEnv(), REDIS_URL },
      /listening on (http:\/\/\S+)/,
    );
    await stop(local.child);
    expect(local.match[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(['install', 'doctor', 'sync', 'backfill', 'explain', 'report', 'serve', 'worker', 'start'])(
    '`%s --help` lists --config (and --tenant where one tenant can be chosen)',
    async (command) => {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('--config <path>');
      expect(result.stdout).toContain('--log-format <format>');
      if (!['serve', 'worker', 'start'].includes(command)) expect(result.stdout).toContain('--tenant <id>');
    },
  );

  it.each([['install'], ['doctor'], ['sync', '--once'], ['backfill'], ['report']])(
    '`%s --tenant nope` exits 2 with the one wording for an unknown tenant',
    async (...args) => {
      const file = join(dir, 'two.yaml');
      writeFileSync(
        file,
        'tenants:\n  - id: acme\n    hubspot: { accessToken: t }\n    salesforce: { orgId: 00D5g000004LBdgEAG, accessToken: t, instanceUrl: "http://127.0.0.1:1" }\n',
      );
      const result = await runCli([...args, '--tenant', 'nope', '--config', file], { REDIS_URL });
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe('--tenant: unknown tenant "nope"; configured: acme');
    },
  );

  it('doctor --json prints JSON even when the config is bad', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'tenants:\n  - id: acme\n    hubspot: { accessToken: tok }\n    salesforce: { orgId: nope }\n',
    );
    const result = await runCli(['doctor', '--json', '--config', file], { REDIS_URL });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: Array<Record<string, string>> };
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ group: 'config', name: 'loaded', status: 'fail' });
    expect(report.checks[0]?.detail).toContain('tenants[0].salesforce.orgId');
  });

  it('reads .env from the working directory; variables already set win', async () => {
    const cwd = mkdtempSync(join(dir, 'dotenv-'));
    writeFileSync(join(cwd, '.env'), 'LEADBRIDGE_CONFIG=from-dotenv.yaml\n');
    const fromFile = await runCli(['doctor', '--json'], { REDIS_URL }, 20_000, cwd);
    expect(JSON.parse(fromFile.stdout).checks[0].detail).toContain('from-dotenv.yaml');
    const fromEnv = await runCli(
      ['doctor', '--json'],
      { REDIS_URL, LEADBRIDGE_CONFIG: 'from-env.yaml' },
      20_000,
      cwd,
    );
    expect(JSON.parse(fromEnv.stdout).checks[0].detail).toContain('from-env.yaml');
  });
});
