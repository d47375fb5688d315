import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('LEADBRIDGE_REDIS_PREFIX (built CLI)', () => {
  it('a prefix with a hash tag of its own exits 2 with one line naming the variable, before touching Redis', async () => {
    const run = await runCli(['status'], {
      LEADBRIDGE_REDIS_PREFIX: '{leadbridge}',
      REDIS_URL: 'redis://127.0.0.1:9',
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'LEADBRIDGE_REDIS_PREFIX "{leadbridge}": no { or } (LeadBridge adds the Redis Cluster hash tags itself); for example leadbridge',
    );
  });
});
