import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { createContact, useInstalledFixture } from './operator-fixture.ts';

// Every module a process loads stays in its memory to the end (code, bytecode, the SDKs' generated
// classes), so `--help` must not pay for the SDKs and a backfill not for the server or the emulators.

const hook = fileURLToPath(new URL('../helpers/module-log-hook.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'leadbridge-module-log-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the built CLI and returns its exit code and the packages and repository folders it loaded. */
async function loaded(name: string, args: string[], env: Record<string, string> = {}) {
  const log = join(scratch, `${name}.log`);
  const result = await runCli(
    args,
    { ...env, NODE_OPTIONS: `--import=${hook}`, LEADBRIDGE_TEST_MODULE_LOG: log },
    60_000,
  );
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(
    urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.slice(1, 2) ?? []),
  );
  const ours = urls.filter((url) => url.startsWith('file:') && !url.includes('/node_modules/'));
  return { result, packages, ours };
}

describe('each leadbridge command loads only what it runs (built CLI)', () => {
  it('--help loads commander and no command module, SDK, Redis client, server or emulator', async () => {
    const { result, packages, ours } = await loaded('help', ['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('backfill');
    expect([...packages]).toEqual(['commander']);
    // The error classes main.ts tells apart are a few lines each; everything else loads with its command.
    const commandModules = ours.filter(
      (url) =>
        /\/(commands|jobs|server|store|domain|config)\//.test(url) && !url.endsWith('/config-error.js'),
    );
    expect(commandModules).toEqual([]);
    expect(ours.filter((url) => url.includes('/connectors/'))).toEqual([
      expect.stringMatching(/\/connectors\/salesforce\/emulator\/default-org\.js$/),
    ]);
  });

  describe('backfill', () => {
    const suite = useInstalledFixture('loads-what-it-runs', { seed: 3 });

    it('loads both SDKs and the reconcile engine, not the HTTP server, the admin UI or the emulators', async () => {
      await createContact(suite.hubspot, {
        email: 'ada@example.org',
        firstname: 'Ada',
        lifecyclestage: 'lead',
      });
      const { result, packages, ours } = await loaded(
        'backfill',
        ['backfill', '--config', suite.configFile],
        suite.env,
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(packages).toContain('@hubspot/api-client');
      expect(packages).toContain('jsforce');
      // faye is jsforce's Streaming API client, loaded only through jsforce's index.
      for (const unused of ['express', 'helmet', '@bull-board/api', '@bull-board/express', 'faye'])
        expect(packages, unused).not.toContain(unused);
      expect(
        ours.filter(
          (url) =>
            /\/(server|emulator)\/|\/commands\/(demo|emulate|serve|start)\./.test(url) &&
            !url.endsWith('/default-org.js'),
        ),
      ).toEqual([]);
    });
  });
});
