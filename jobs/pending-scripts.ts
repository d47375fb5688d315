import { LuaScript } from '../src/store/lua-script.ts';

/**
 * The Lua scripts of jobs/pending-refs.ts. Every script touches the keys of one tenant only (hash tag
 * `{tenant}`), so each runs on one Redis Cluster slot. A shard's keys come in fours: pending set,
 * pending meta, claimed set, claimed meta.
 */

/**
 * KEYS: one shard's pending set and meta. ARGV: mode (NX for a routine add, REP for the rep lane),
 * then (score, member, meta JSON) triples. NX keeps an earlier due time, REP the earlier of the two (a
 * rep-lane record is due at once, scored ahead); both write the latest meta.
 */
export const ADD = new LuaScript(`
local mode = ARGV[1] == 'REP' and 'LT' or 'NX'
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], mode, ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2])
end
return 1
`);

/**
 * KEYS: a shard's pending set and seen hash. ARGV: (mode, score, member, meta) quadruples, applied in
 * order: mode `REP` lowers an existing score (ZADD LT), `NX` keeps it; the meta is always the latest.
 * ADD for records of both lanes, each with its own due time (a batch of change events).
 */
export const ADD_EACH = new LuaScript(`
for i = 1, #ARGV, 4 do
  redis.call('ZADD', KEYS[1], ARGV[i] == 'REP' and 'LT' or 'NX', ARGV[i + 1], ARGV[i + 2])
  redis.call('HSET', KEYS[2], ARGV[i + 2], ARGV[i + 3])
end
return 1
`);

/**
 * Lua functions of the claims, put before the scripts that claim or end claims. A batch claims the
 * leads of the records it takes, in the tenant's lead-claims hash (`claimed-leads`: claim key -> how
 * many claimed records hold it): the claim key is `lead:<lead key>` when the record's meta names its
 * lead, else `record:<system>|<id>` (a record not linked yet; the records of one lead share a shard).
 * The key is read from the claimed meta, which stays as it was taken while the claim lasts, so ending a
 * claim always finds the key its start counted.
 */
const CLAIM_FUNCTIONS = `
local function claimKey(member, meta)
  if meta then
    local ok, seen = pcall(cjson.decode, meta)
    if ok and type(seen) == 'table' and type(seen.leadKey) == 'string' and seen.leadKey ~= '' then
      return 'lead:' .. seen.leadKey
    end
  end
  return 'record:' .. member
end
local function unclaim(leads, claimed, claimedSeen, member)
  if not redis.call('ZSCORE', claimed, member) then return false end
  local key = claimKey(member, redis.call('HGET', claimedSeen, member))
  redis.call('ZREM', claimed, member)
  redis.call('HDEL', claimedSeen, member)
  if redis.call('HINCRBY', leads, key, -1) <= 0 then redis.call('HDEL', leads, key) end
  return true
end
local function claim(leads, claimed, claimedSeen, member, meta, leaseUntil)
  unclaim(leads, claimed, claimedSeen, member)
  redis.call('ZADD', claimed, leaseUntil, member)
  if meta then redis.call('HSET', claimedSeen, member, meta) end
  redis.call('HINCRBY', leads, claimKey(member, meta), 1)
end
`;

/**
 * KEYS: the tenant's batch semaphore, its last batch start, its lead claims, then four keys per shard.
 * ARGV: due by, limit, now, lease until (epoch ms), cap (0: none), batch id, the shard to take first (its
 * job's), '1' to ignore holds (`popDue`: one process draining every shard, as `sync --once` does), the
 * rep-lane bound (scores at or below it are rep-lane records).
 *
 * 1. Claims whose lease ended by now (their job died) return to their shard's pending set, due now, and
 *    their leads are free again.
 * 2. With `cap` batches of the tenant already holding an unexpired lease, nothing is taken.
 * 3. Records whose lead another batch claimed are left (a lead that changed again while its batch runs
 *    waits for it): two batches never reconcile one lead at once, so neither writes a patch read before
 *    the other's write; yet a batch holds only its own leads, not whole shards. The job's own shard
 *    first, then the other shards by their earliest record, up to `limit` records due by `due by` in
 *    all: a quiet tenant's records go out in one batch, a backlog in full batches side by side. Within a
 *    shard, lowest score first: the rep lane's advanced scores before routine ones.
 * 4. While another batch of the tenant runs, a batch starts only when it is full or carries a rep's
 *    change, counting only the records it could take (not those left in step 3).
 * Returns (shard, member, meta, score) quadruples; records taken are claimed until `lease until` and the batch
 * holds a place in the semaphore until the same instant; the tenant's last batch start becomes now.
 */
export const TAKE_BATCH = new LuaScript(
  CLAIM_FUNCTIONS +
    `
local n = (#KEYS - 3) / 4
local dueBy = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local now = ARGV[3]
local leaseUntil = ARGV[4]
local cap = tonumber(ARGV[5])
local own = tonumber(ARGV[7])
local ignoreHolds = ARGV[8] == '1'
local repBound = tonumber(ARGV[9])
local leads = KEYS[3]
local function key(s, i) return KEYS[3 + s * 4 + i] end
for s = 0, n - 1 do
  local expired = redis.call('ZRANGE', key(s, 3), '-inf', now, 'BYSCORE')
  for _, member in ipairs(expired) do
    redis.call('ZADD', key(s, 1), 'LT', now, member)
    local meta = redis.call('HGET', key(s, 4), member)
    if meta then redis.call('HSETNX', key(s, 2), member, meta) end
    unclaim(leads, key(s, 3), key(s, 4), member)
  end
end
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= cap then return {} end
end
local order = {}
for s = 0, n - 1 do
  local head = redis.call('ZRANGE', key(s, 1), 0, 0, 'WITHSCORES')
  if head[2] and tonumber(head[2]) <= dueBy then
    order[#order + 1] = { s, s == own and -math.huge or tonumber(head[2]) }
  end
end
table.sort(order, function(a, b) return a[2] < b[2] end)
-- Pick first, write after: whether the batch starts depends on what it could take.
local picked = {}
local mine = {}
local rep = false
for _, entry in ipairs(order) do
  if #picked >= limit then break end
  local s = entry[1]
  local offset = 0
  while #picked < limit do
    local found = redis.call('ZRANGE', key(s, 1), '-inf', dueBy, 'BYSCORE', 'LIMIT', offset, limit - #picked, 'WITHSCORES')
    if #found == 0 then break end
    offset = offset + #found / 2
    for i = 1, #found, 2 do
      local member = found[i]
      local meta = redis.call('HGET', key(s, 2), member)
      local lead = claimKey(member, meta)
      -- Held: the record itself is claimed (by another batch, maybe under the key it had before it was
      -- linked), or its lead is, and not by this batch.
      local held = not ignoreHolds and (redis.call('ZSCORE', key(s, 3), member) or
        (not mine[lead] and redis.call('HEXISTS', leads, lead) == 1))
      if not held then
        mine[lead] = true
        picked[#picked + 1] = { s, member, meta, found[i + 1] }
        if tonumber(found[i + 1]) <= repBound then rep = true end
      end
    end
  end
end
-- While another batch of the tenant runs, a new one starts only when it is full or carries a rep's
-- change: a quiet tenant's changes wait for the running batch and go out together (as few API calls as
-- one batch at a time made), a backlog goes out in full batches side by side. Records it could not take
-- do not count: a batch of them would start part empty.
if cap > 0 and not ignoreHolds and redis.call('ZCARD', KEYS[1]) > 0 and #picked < limit and not rep then
  return {}
end
local out = {}
for _, p in ipairs(picked) do
  local s, member, meta = p[1], p[2], p[3]
  redis.call('ZREM', key(s, 1), member)
  redis.call('HDEL', key(s, 2), member)
  claim(leads, key(s, 3), key(s, 4), member, meta, leaseUntil)
  out[#out + 1] = tostring(s)
  out[#out + 1] = member
  out[#out + 1] = meta or ''
  out[#out + 1] = p[4]
end
if #out > 0 then
  if cap > 0 then redis.call('ZADD', KEYS[1], leaseUntil, ARGV[6]) end
  redis.call('SET', KEYS[2], now, 'PX', 60000)
end
return out
`,
);

/**
 * KEYS: four per shard. Per shard, two epoch-ms instants as strings ('' when none): when its earliest
 * pending record is due, and when its earliest claim's lease ends.
 */
export const DUE_BY_SHARD = new LuaScript(`
local out = {}
for s = 0, #KEYS / 4 - 1 do
  out[#out + 1] = redis.call('ZRANGE', KEYS[s * 4 + 1], 0, 0, 'WITHSCORES')[2] or ''
  out[#out + 1] = redis.call('ZRANGE', KEYS[s * 4 + 3], 0, 0, 'WITHSCORES')[2] or ''
end
return out
`);

/** KEYS: the lead claims, then four per shard. ARGV: members. Drops them wherever they are. */
export const REMOVE = new LuaScript(
  CLAIM_FUNCTIONS +
    `
local removed = 0
for s = 0, (#KEYS - 1) / 4 - 1 do
  local base = 1 + s * 4
  redis.call('HDEL', KEYS[base + 2], unpack(ARGV))
  for _, member in ipairs(ARGV) do unclaim(KEYS[1], KEYS[base + 3], KEYS[base + 4], member) end
  removed = removed + redis.call('ZREM', KEYS[base + 1], unpack(ARGV))
end
return removed
`,
);

/**
 * KEYS: batch semaphore, rep batches, lead claims, then four keys per shard. ARGV: batch id ('' when
 * none), members. Ends the claims on the members and on their leads, whichever shard holds them (the
 * batch's outcome is stored), and the batch's place in the semaphore.
 */
export const RELEASE = new LuaScript(
  CLAIM_FUNCTIONS +
    `
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
local released = 0
for s = 0, (#KEYS - 3) / 4 - 1 do
  local base = 3 + s * 4
  for i = 2, #ARGV do
    if unclaim(KEYS[3], KEYS[base + 3], KEYS[base + 4], ARGV[i]) then released = released + 1 end
  end
end
return released
`,
);

/**
 * KEYS: lead claims, then four per shard. ARGV: (score, member, meta JSON, shard) quadruples. Puts
 * records back after a failed batch into the shard whose claim holds them (else `shard`), keeping the
 * earlier of the two due times and a newer change's meta, and ends the claim (and the lead's).
 */
export const PUT_BACK = new LuaScript(
  CLAIM_FUNCTIONS +
    `
local n = (#KEYS - 1) / 4
for i = 1, #ARGV, 4 do
  local member = ARGV[i + 1]
  local target = tonumber(ARGV[i + 3])
  for s = 0, n - 1 do
    if unclaim(KEYS[1], KEYS[1 + s * 4 + 3], KEYS[1 + s * 4 + 4], member) then target = s end
  end
  redis.call('ZADD', KEYS[1 + target * 4 + 1], 'LT', ARGV[i], member)
  redis.call('HSETNX', KEYS[1 + target * 4 + 2], member, ARGV[i + 2])
end
return 1
`,
);

/**
 * KEYS: heat hash, heat index (zset by last change). ARGV: now (epoch ms), forget before (epoch ms), then
 * (member, heat "count:atMs") pairs. Stores records' change heat (src/domain/adaptive-debounce.ts) and
 * forgets up to 20 records quiet since `forget before`, so the hash holds only recently changed records.
 */
export const STORE_HEAT = new LuaScript(`
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[i])
end
local stale = redis.call('ZRANGE', KEYS[2], '-inf', ARGV[2], 'BYSCORE', 'LIMIT', 0, 20)
if #stale > 0 then
  redis.call('HDEL', KEYS[1], unpack(stale))
  redis.call('ZREM', KEYS[2], unpack(stale))
end
return 1
`);

/**
 * KEYS: rep batches, then the pending set of every shard. ARGV: now, rep-lane bound (scores at or below
 * it are rep-lane records). Returns { rep-lane records pending + rep batches running, routine records
 * due by now }: what a backfill page waits for (jobs/backfill-yield.ts).
 */
export const LANE_WORK = new LuaScript(`
local rep = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
local routine = 0
for i = 2, #KEYS do
  rep = rep + redis.call('ZCOUNT', KEYS[i], '-inf', ARGV[2])
  routine = routine + redis.call('ZCOUNT', KEYS[i], '(' .. ARGV[2], ARGV[1])
end
return { rep, routine }
`);

/**
 * KEYS: the tenant's lead claims, one stray shard's four keys (a shard beyond the tenant's shard count),
 * then four per shard of the count. ARGV: now (epoch ms), then (member, target shard) pairs. Moves the
 * stray shard's pending records into their target shards (keeping the earlier due time and the target's
 * meta when it has one) and returns claims whose lease ended there as pending, due now; a claim under
 * lease stays with its batch. Returns { moved, still claimed }.
 */
export const GATHER_STRAY = new LuaScript(
  CLAIM_FUNCTIONS +
    `
local now = tonumber(ARGV[1])
local moved, held = 0, 0
for i = 2, #ARGV, 2 do
  local member = ARGV[i]
  local target = tonumber(ARGV[i + 1])
  local set, seen = KEYS[6 + target * 4], KEYS[7 + target * 4]
  local score = redis.call('ZSCORE', KEYS[2], member)
  if score then
    redis.call('ZADD', set, 'LT', score, member)
    local meta = redis.call('HGET', KEYS[3], member)
    if meta then redis.call('HSETNX', seen, member, meta) end
    redis.call('ZREM', KEYS[2], member)
    redis.call('HDEL', KEYS[3], member)
    moved = moved + 1
  end
  local lease = redis.call('ZSCORE', KEYS[4], member)
  if lease then
    if tonumber(lease) <= now then
      local meta = redis.call('HGET', KEYS[5], member)
      unclaim(KEYS[1], KEYS[4], KEYS[5], member)
      redis.call('ZADD', set, 'LT', now, member)
      if meta then redis.call('HSETNX', seen, member, meta) end
      moved = moved + 1
    else
      held = held + 1
    end
  end
end
return { moved, held }
`,
);
