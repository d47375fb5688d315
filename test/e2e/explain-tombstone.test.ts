import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { enginePrefixes } from '../../jobs/engine-runtime.ts';
import { LeadLinks } from '../../src/store/lead-links.ts';
import { emailHash } from '../../src/store/tombstone.ts';
import { runCli } from '../helpers/cli.ts';
import { createContact, qualifiedContact, useInstalledFixture } from './operator-fixture.ts';

describe('leadbridge explain of a person deleted by a GDPR request', () => {
  const suite = useInstalledFixture('explain-gdpr');

  it('says, by email hash, what happened, and holds no other data', async () => {
    const { hubspot, env, configFile } = suite;
    const id = await createContact(hubspot, qualifiedContact('forget.me@example.org'));
    const sync = await runCli(['sync', '--once', '--config', configFile], env, 60_000);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    // What ingest does with HubSpot's contact.privacyDeletion.
    const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const links = new LeadLinks(redis, { prefix: enginePrefixes(env.LEADBRIDGE_REDIS_PREFIX).store });
      expect(await links.retire('acme', 'hubspot', id, 'privacy_deleted', new Date())).not.toBeNull();
    } finally {
      await redis.quit();
    }
    const result = await runCli(['explain', 'Forget.Me@example.org', '--config', configFile], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/privacy-deleted \(GDPR\) in hubspot at \d{4}-/);
    expect(result.stdout).toContain(emailHash('forget.me@example.org').slice(0, 12));
    expect(result.stdout).not.toContain('forget.me');
    const json = await runCli(['explain', 'forget.me@example.org', '--json', '--config', configFile], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      tenant: 'acme',
      emailHash: emailHash('forget.me@example.org'),
      tombstone: { reason: 'privacy_deleted', system: 'hubspot' },
    });
  });
});
