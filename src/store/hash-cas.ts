import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.ts';

/** One hash field in a compare-and-set: what it must hold now, and what to leave in it. */
export interface HashFieldChange {
  key: string;
  field: string;
  /** The value it must hold (`null`: must be absent); `undefined` checks nothing. */
  expect?: string | null;
  /** The value to write (`null`: delete the field); `undefined` only checks. */
  set?: string | null;
}

/**
 * Checks every expectation, then applies every change, or applies nothing. Lua runs atomically, so a
 * link and its index entries never disagree, even with many workers; the logic stays in TypeScript,
 * which reads, plans and retries when another writer got there first (optimistic concurrency).
 * ARGV per change: key index, field, mode (any|absent|equals), expected, action (keep|set|del), value.
 */
const SCRIPT = new LuaScript(`
local n = #ARGV / 6
for i = 0, n - 1 do
  local mode = ARGV[i * 6 + 3]
  if mode ~= 'any' then
    local current = redis.call('HGET', KEYS[tonumber(ARGV[i * 6 + 1])], ARGV[i * 6 + 2])
    if mode == 'absent' then
      if current then return 0 end
    elseif current ~= ARGV[i * 6 + 4] then
      return 0
    end
  end
end
for i = 0, n - 1 do
  local key = KEYS[tonumber(ARGV[i * 6 + 1])]
  local action = ARGV[i * 6 + 5]
  if action == 'set' then
    redis.call('HSET', key, ARGV[i * 6 + 2], ARGV[i * 6 + 6])
  elseif action == 'del' then
    redis.call('HDEL', key, ARGV[i * 6 + 2])
  end
end
return 1
`);

/** True when every expectation held and the changes were applied; false when nothing was written. */
export async function compareAndSetHashes(redis: Redis, changes: HashFieldChange[]): Promise<boolean> {
  if (changes.length === 0) return true;
  const keys = [...new Set(changes.map((change) => change.key))];
  const args = changes.flatMap((change) => {
    const mode = change.expect === undefined ? 'any' : change.expect === null ? 'absent' : 'equals';
    const action = change.set === undefined ? 'keep' : change.set === null ? 'del' : 'set';
    return [keys.indexOf(change.key) + 1, change.field, mode, change.expect ?? '', action, change.set ?? ''];
  });
  return Number(await SCRIPT.run(redis, keys, args)) === 1;
}
