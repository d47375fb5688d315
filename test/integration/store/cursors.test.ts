import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorStore, type BackfillCheckpoint } from '../../../src/store/cursors.ts';
import { tenantKey } from '../../../src/store/keys.ts';
import { connect, deleteKeys, uniquePrefix } from './store-helpers.ts';

const PREFIX = uniquePrefix('cursors');
let redis: Redis;
let cursors: CursorStore;

beforeAll(() => {
  redis = connect();
  cursors = new CursorStore(redis, { prefix: PREFIX });
});
afterAll(async () => {
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

describe('CursorStore', () => {
  it('keeps one poll cursor per tenant and system; null forgets it', async () => {
    expect(await cursors.getCursor('t1', 'hubspot')).toBeNull();
    const cursor = { modifiedAt: '2026-03-01T10:00:00.000Z', id: '1234' };
    await cursors.setCursor('t1', 'hubspot', cursor);
    await cursors.setCursor('t1', 'salesforce', { modifiedAt: '2026-03-01T09:00:00.000Z', id: '00Q~x~y' });
    expect(await cursors.getCursor('t1', 'hubspot')).toEqual(cursor);
    expect(await cursors.getCursor('t2', 'hubspot')).toBeNull();
    expect((await cursors.getCursor('t1', 'salesforce'))?.id).toBe('00Q~x~y');
    await cursors.setCursor('t1', 'hubspot', null);
    expect(await cursors.getCursor('t1', 'hubspot')).toBeNull();
    expect(await cursors.getCursor('t1', 'salesforce')).not.toBeNull();
  });

  it('reads an unreadable cursor as null (poll from the overlap window) and refuses to store a bad one', async () => {
    const key = tenantKey(PREFIX, 't3', 'cursors');
    await redis.hset(key, 'hubspot', 'not json', 'salesforce', '{"modifiedAt":""}');
    expect(await cursors.getCursor('t3', 'hubspot')).toBeNull();
    expect(await cursors.getCursor('t3', 'salesforce')).toBeNull();
    await expect(cursors.setCursor('t3', 'hubspot', { modifiedAt: '', id: '1' })).rejects.toThrow();
    expect(await redis.hget(key, 'hubspot')).toBe('not json');
  });

  it('keeps a backfill checkpoint, reads a corrupt one as null and clears it', async () => {
    const checkpoint: BackfillCheckpoint = {
      cursor: { modifiedAt: '2026-01-01T00:00:00.000Z', id: '77' },
      processed: 1200,
      startedAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:05:00.000Z',
      done: false,
    };
    expect(await cursors.getBackfill('t4', 'hubspot')).toBeNull();
    await cursors.setBackfill('t4', 'hubspot', checkpoint);
    expect(await cursors.getBackfill('t4', 'hubspot')).toEqual(checkpoint);
    expect(await cursors.getCursor('t4', 'hubspot')).toBeNull();
    await redis.hset(tenantKey(PREFIX, 't4', 'backfill'), 'salesforce', '{"processed":-1}');
    expect(await cursors.getBackfill('t4', 'salesforce')).toBeNull();
    await cursors.clearBackfill('t4', 'hubspot');
    expect(await cursors.getBackfill('t4', 'hubspot')).toBeNull();
  });

  it('refuses a tenant id that would break the key layout', async () => {
    await expect(cursors.getCursor('a}b', 'hubspot')).rejects.toThrow(/invalid tenant id/);
  });
});
