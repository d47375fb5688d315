import { describe, expect, it } from 'vitest';
import { startCli, stop } from '../helpers/cli.ts';
import { useInstalledFixture } from './operator-fixture.ts';

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('leadbridge worker and start (built CLI) against both emulators', () => {
  const suite = useInstalledFixture('worker', { seed: 9 }, { extra: 'sync: { debounce: 100ms }' });

  it('worker: the first scheduled poll hands a qualified HubSpot contact to Salesforce; SIGTERM exits 0', async () => {
    const { hubspot, salesforce, env, configFile } = suite;
    hubspot.store.create(
      {
        email: 'mae@example.com',
        firstname: 'Mae',
        lastname: 'Jemison',
        company: 'Endeavour',
        // Through the handoff gate (score 60 with the test scoring), not by the stage it claims.
        jobtitle: 'VP Science',
        phone: '+1 555 0199',
        lifecyclestage: 'marketingqualifiedlead',
      },
      'CRM_UI',
    );
    const worker = await startCli(['worker', '--config', configFile], env, /workers running/);
    try {
      await waitFor(() => salesforce.state.store.rows('Lead').length === 1, 20_000);
      expect(salesforce.state.store.rows('Lead')[0]).toMatchObject({
        Email: 'mae@example.com',
        LastName: 'Jemison',
      });
    } finally {
      expect(await stop(worker.child)).toBe(0);
    }
    expect(worker.output()).not.toMatch(/"level":(50|60)/);
  });

  it('start: serves health checks with the workers in the same process; SIGTERM exits 0', async () => {
    const { env, configFile } = suite;
    const running = await startCli(
      ['start', '--config', configFile, '--port', '0'],
      env,
      /listening on (http:\/\/\S+), workers running/,
    );
    try {
      const ready = await fetch(`${running.match[1]}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await stop(running.child)).toBe(0);
    }
  });
});
