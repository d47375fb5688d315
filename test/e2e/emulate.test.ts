import { describe, expect, it } from 'vitest';
import { startCli, stop } from '../helpers/cli.ts';

describe('leadbridge emulate (built CLI)', () => {
  it('starts both emulators seeded as asked, prints where they are, and stops on SIGTERM', async () => {
    const emulate = await startCli(
      [
        'emulate',
        '--hubspot-port',
        '0',
        '--salesforce-port',
        '0',
        '--contacts',
        '7',
        '--leads',
        '4',
        '--seed',
        '3',
      ],
      {},
      /Press Ctrl\+C/,
    );
    try {
      const hubspotUrl = emulate.output().match(/HUBSPOT_BASE_URL=(\S+)/)?.[1];
      const salesforceUrl = emulate.output().match(/SALESFORCE_INSTANCE_URL=(\S+)/)?.[1];
      expect(hubspotUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(salesforceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const contacts = await fetch(`${hubspotUrl}/crm/v3/objects/contacts?limit=100`, {
        headers: { authorization: 'Bearer anything' },
      });
      expect(contacts.status).toBe(200);
      expect(((await contacts.json()) as { results: unknown[] }).results).toHaveLength(7);
      const anonymous = await fetch(`${hubspotUrl}/crm/v3/objects/contacts`);
      expect(anonymous.status).toBe(401);

      const leads = await fetch(
        `${salesforceUrl}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Lead')}`,
        {
          headers: { authorization: 'Bearer anything' },
        },
      );
      expect(leads.status).toBe(200);
      expect(((await leads.json()) as { totalSize: number }).totalSize).toBe(4);
    } finally {
      expect(await stop(emulate.child)).toBe(0);
    }
  });
});
