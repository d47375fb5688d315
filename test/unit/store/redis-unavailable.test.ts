import { describe, expect, it } from 'vitest';
import { isRedisUnavailable } from '../../../src/store/redis-unavailable.ts';

describe('isRedisUnavailable', () => {
  it('recognises the errors of a command that could not reach Redis, also as a cause', () => {
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(isRedisUnavailable(maxRetries)).toBe(true);
    expect(isRedisUnavailable(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isRedisUnavailable(new Error('token store', { cause: new Error('Connection is closed.') }))).toBe(
      true,
    );
  });

  it('recognises a Redis Cluster failing over or resharding (it passes), but not a CROSSSLOT bug', () => {
    expect(isRedisUnavailable(new Error('CLUSTERDOWN The cluster is down'))).toBe(true);
    expect(isRedisUnavailable(new Error('TRYAGAIN Multiple keys request during rehashing of slot'))).toBe(
      true,
    );
    expect(isRedisUnavailable(new Error('Failed to refresh slots cache.'))).toBe(true);
    expect(isRedisUnavailable(new Error('None of startup nodes is available'))).toBe(true);
    expect(
      isRedisUnavailable(
        new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
      ),
    ).toBe(true);
    expect(isRedisUnavailable(new Error("CROSSSLOT Keys in request don't hash to the same slot"))).toBe(
      false,
    );
  });

  it('leaves other errors alone', () => {
    expect(
      isRedisUnavailable(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')),
    ).toBe(false);
    expect(isRedisUnavailable('Connection is closed.')).toBe(false);
    expect(isRedisUnavailable(null)).toBe(false);
  });
});
