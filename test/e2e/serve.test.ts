import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleEnv, runCli, startCli, stop } from '../helpers/cli.ts';

describe('leadbridge serve (built CLI)', () => {
  it('starts with the example config and only the .env.example variables, answers health checks, stops on SIGTERM', async () => {
    const server = await startCli(
      ['serve', '--config', 'leadbridge.config.example.yaml', '--port', '0'],
      { ...exampleEnv(), REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      /listening on (http:\/\/\S+)/,
    );
    const url = server.match[1];
    try {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok', queues: 'ok' } });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('leadbridge_api_calls_total');
    } finally {
      expect(await stop(server.child)).toBe(0);
    }
  });

  it('reports not ready while Redis does not answer', async () => {
    const server = await startCli(
      ['serve', '--config', 'leadbridge.config.example.yaml', '--port', '0'],
      { ...exampleEnv(), REDIS_URL: 'redis://127.0.0.1:1' },
      /listening on (http:\/\/\S+)/,
    );
    try {
      const ready = await fetch(`${server.match[1]}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await stop(server.child);
    }
  });

  it('exits with code 2 and names the field when the config is bad, without starting', async () => {
    const file = join(tmpdir(), `leadbridge-bad-${process.pid}.yaml`);
    writeFileSync(
      file,
      'tenants:\n  - id: acme\n    hubspot: { accessToken: tok }\n    salesforce: { orgId: nope, accessToken: t }\n',
    );
    const result = await runCli(['serve', '--config', file, '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tenants[0].salesforce.orgId');
    expect(result.stdout).not.toContain('listening');
  });

  it('exits with code 2 for an unknown option', async () => {
    const result = await runCli(['serve', '--prot', '1']);
    expect(result.code).toBe(2);
  });

  it('prints help naming its commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/serve/);
  });
});
