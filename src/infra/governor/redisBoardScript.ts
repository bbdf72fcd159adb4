/**
 * The team board's one Lua source (loaded with `defineCommand`, so ioredis sends EVALSHA and falls
 * back to EVAL after a restart flushed the script cache). Every change to the board is one of its
 * ops, atomic on the server:
 *
 * - `begin`: takes the admission lock (`SET NX PX`, a random token; waiters in the order they first
 *   asked) and, in the same round trip,
 *   returns the view: live reservations with their remaining lease, the ledger entries after the
 *   caller's cursor, the last minute's admissions, the rate state.
 * - `commit`: if the caller still owns the lock, publishes its reservations (keys with PX = the
 *   lease, ids in the index set, admissions in the recent set) and frees the lock; then, lock or no
 *   lock, applies the turn's releases, settles (XADD to the ledger stream, after reading what others
 *   appended), lease renewals and rate reports, and returns the fresh view.
 * - `lock` / `extend` / `unlock`: the same lock for `exclusive`.
 *
 * KEYS: lock, reservation index, recent admissions, rate hash, ledger stream, epoch, the lock's
 * waiting queue and its waiters' last tries. ARGV: op, the
 * reservation key prefix, a JSON payload whose numbers are strings (Lua's number formatting would
 * print epoch milliseconds in exponent notation). All keys share one hash tag (`{namespace}`), so
 * the keys a script builds from the prefix live in its slot on a cluster too.
 */
export const BOARD_LUA = `
local op = ARGV[1]
local prefix = ARGV[2]
local a = cjson.decode(ARGV[3])
local LOCK, INDEX, RECENT, RATE, LEDGER, EPOCH, QUEUE, BEAT = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]

local function ms(n) return string.format('%.0f', n) end

local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function owns() return redis.call('GET', LOCK) == a.token end

-- The lock goes to the waiters in the order they first asked (without this, a process that asks
-- again right after its commit wins almost every time and the others starve). A waiter that stopped
-- asking (gave up, died) leaves the queue once its last try is STALE_MS old.
-- Returns nil when taken, else the caller's place in the queue (0: next), so that only the next
-- waiter asks again at once and the others wait longer.
local STALE_MS = 250
local function take(t)
  redis.call('ZADD', QUEUE, 'NX', ms(t), a.token)
  redis.call('HSET', BEAT, a.token, ms(t))
  while true do
    local head = redis.call('ZRANGE', QUEUE, 0, 0)[1]
    if head == a.token then break end
    if tonumber(redis.call('HGET', BEAT, head) or '0') > t - STALE_MS then return redis.call('ZRANK', QUEUE, a.token) end
    redis.call('ZREM', QUEUE, head)
    redis.call('HDEL', BEAT, head)
  end
  if not redis.call('SET', LOCK, a.token, 'NX', 'PX', a.lockMs) then return 0 end
  redis.call('ZREM', QUEUE, a.token)
  redis.call('HDEL', BEAT, a.token)
  return nil
end

-- An emptied Redis (restarted without persistence) gets a new epoch: holders then republish.
local function epoch()
  local e = redis.call('GET', EPOCH)
  if not e then
    e = a.epoch
    redis.call('SET', EPOCH, e)
  end
  return e
end

-- Live reservations as value, remaining lease, ...; ids whose key expired leave the index.
local function live()
  local out = {}
  for _, id in ipairs(redis.call('SMEMBERS', INDEX)) do
    local key = prefix .. id
    local ttl = redis.call('PTTL', key)
    if ttl > 0 then
      out[#out + 1] = redis.call('GET', key)
      out[#out + 1] = ttl
    else
      redis.call('DEL', key)
      redis.call('SREM', INDEX, id)
    end
  end
  return out
end

local function view(t)
  return {
    epoch(), ms(t), live(),
    redis.call('XRANGE', LEDGER, '(' .. a.cursor, '+', 'COUNT', a.limit),
    redis.call('ZRANGEBYSCORE', RECENT, '(' .. ms(t - tonumber(a.window)), '+inf', 'WITHSCORES'),
    redis.call('HMGET', RATE, 'until', 'rpm', 'itpm'),
  }
end

local function publish(list, nx)
  for _, r in ipairs(list) do
    if nx then redis.call('SET', prefix .. r.id, r.value, 'PX', r.px, 'NX')
    else redis.call('SET', prefix .. r.id, r.value, 'PX', r.px) end
    redis.call('SADD', INDEX, r.id)
  end
end

local function release(ids)
  for _, id in ipairs(ids) do
    redis.call('DEL', prefix .. id)
    redis.call('SREM', INDEX, id)
  end
end

local function renew(ids, px)
  for _, id in ipairs(ids) do redis.call('PEXPIRE', prefix .. id, px) end
end

-- until only moves later; the limits replace the old ones.
local function rate(r)
  if r.untilMs and tonumber(r.untilMs) > tonumber(redis.call('HGET', RATE, 'until') or '0') then
    redis.call('HSET', RATE, 'until', r.untilMs)
  end
  if r.rpm then redis.call('HSET', RATE, 'rpm', r.rpm) end
  if r.itpm then redis.call('HSET', RATE, 'itpm', r.itpm) end
end

-- Appends the records, each once: a record sent again (its first commit's reply was lost) is
-- known by its id. The stream keeps what the governor may read (a month and a few days).
local function settle(records, t)
  local ids = {}
  for _, rec in ipairs(records) do
    if redis.call('SET', a.sentPrefix .. rec.id, '1', 'NX', 'PX', a.sentMs) then
      ids[#ids + 1] = redis.call('XADD', LEDGER, '*', 'r', rec.r)
    end
  end
  if #ids > 0 then redis.call('XTRIM', LEDGER, 'MINID', '~', ms(t - tonumber(a.keepMs))) end
  return ids
end

if op == 'begin' then
  local t = now()
  local place = take(t)
  if place then return {0, place} end
  return {1, view(t)}
elseif op == 'commit' then
  local t = now()
  local lost = 0
  if a.token then
    if owns() then
      publish(a.reservations, false)
      for _, r in ipairs(a.reservations) do redis.call('ZADD', RECENT, ms(t), r.member) end
      redis.call('DEL', LOCK)
    else
      lost = 1
    end
  end
  publish(a.republish, true)
  release(a.drops)
  renew(a.renew, a.renewPx)
  if a.rate then rate(a.rate) end
  redis.call('ZREMRANGEBYSCORE', RECENT, '-inf', ms(t - tonumber(a.window)))
  -- Read before appending: what others wrote since the cursor, and then ours.
  local seen = view(t)
  return {lost, settle(a.records, t), seen}
elseif op == 'lock' then
  local place = take(now())
  if place then return {0, place} end
  return {1}
elseif op == 'extend' then
  if owns() then
    redis.call('PEXPIRE', LOCK, a.lockMs)
    return 1
  end
  return 0
elseif op == 'unlock' then
  if owns() then
    redis.call('DEL', LOCK)
    return 1
  end
  return 0
end
return redis.error_reply('helios board: unknown op ' .. tostring(op))
`;
