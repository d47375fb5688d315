import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/cli/commands/doctor-checks.ts';
import { parseRedisTarget, RedisUrlError } from '../../../src/store/redis-target.ts';

describe('parseRedisTarget (REDIS_URL)', () => {
  it('passes a single-server URL through unchanged', () => {
    expect(parseRedisTarget('redis://:secret@10.0.0.5:6380/2')).toEqual({
      kind: 'single',
      url: 'redis://:secret@10.0.0.5:6380/2',
    });
  });

  it('reads the seed nodes, credentials and TLS of a cluster URL', () => {
    expect(parseRedisTarget('rediss+cluster://app:p%40ss@r1.example:7000,r2.example:7001/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'r1.example', port: 7000 },
        { host: 'r2.example', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisTarget('redis+cluster://127.0.0.1:7000,127.0.0.1')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 6379 },
      ],
      tls: false,
    });
  });

  it('refuses a cluster URL without nodes or with a bad port, naming REDIS_URL and the form to use', () => {
    expect(() => parseRedisTarget('redis+cluster://')).toThrow(RedisUrlError);
    expect(() => parseRedisTarget('redis+cluster://')).toThrow(/REDIS_URL.*redis\+cluster:\/\/host:port/);
    expect(() => parseRedisTarget('redis+cluster://r1:99999')).toThrow(/"r1:99999" is not host:port/);
  });
});

describe('redactUrl on a cluster URL (messages and doctor output)', () => {
  it('hides the password of a redis+cluster:// URL, which WHATWG URL cannot parse', () => {
    expect(redactUrl('redis+cluster://app:s3cret@r1:7000,r2:7001')).toBe(
      'redis+cluster://app:***@r1:7000,r2:7001',
    );
    expect(redactUrl('redis://:s3cret@r1:6379')).not.toContain('s3cret');
  });
});
