import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLeadKey, newLeadKey } from '../../../src/store/lead-key.ts';
import { LuaScript } from '../../../src/store/lua-script.ts';
import { connect, countCalls } from './store-helpers.ts';

let redis: Redis;

beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await redis.quit();
});

describe('LuaScript', () => {
  it('sends the source once when Redis does not know the script, then runs it by SHA1', async () => {
    // A never-seen source, so the first call meets NOSCRIPT without flushing a shared Redis.
    const script = new LuaScript(`-- ${randomUUID()}\nreturn ARGV[1] .. KEYS[1]`);
    const counted = connect();
    try {
      await counted.ping();
      const calls = countCalls(counted);
      expect(await script.run(counted, ['k'], ['v'])).toBe('vk');
      expect(calls.commands).toEqual(['evalsha', 'eval']);
      calls.reset();
      expect(await script.run(counted, ['x'], ['y'])).toBe('yx');
      expect(calls.commands).toEqual(['evalsha']);
    } finally {
      await counted.quit();
    }
  });

  it('takes the arguments of a batch of thousands of records (more than a JavaScript call can spread)', async () => {
    const script = new LuaScript('return #ARGV + #KEYS');
    const args = Array.from({ length: 300_000 }, (_, i) => i);
    expect(await script.run(redis, ['k'], args)).toBe(300_001);
  });
});

describe('newLeadKey', () => {
  it('makes distinct lb_ keys that sort by creation time', () => {
    const earlier = newLeadKey(new Date('2026-03-01T10:00:00.000Z'));
    const later = newLeadKey(new Date('2026-03-01T10:00:00.001Z'));
    expect(earlier).toMatch(/^lb_[0-9a-z]{26}$/);
    expect(isLeadKey(earlier)).toBe(true);
    expect(earlier < later).toBe(true);
    expect(newLeadKey(new Date(0))).not.toBe(newLeadKey(new Date(0)));
    for (const notAKey of ['12345', '00Q000000000001AAA', 'ann@example.com', 'lb_'])
      expect(isLeadKey(notAKey)).toBe(false);
  });
});
