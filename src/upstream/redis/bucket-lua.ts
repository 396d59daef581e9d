/**
 * The RPM/TPM token buckets in Lua, with exactly the semantics of `TokenBucket` and `RateLimiter.admit`
 * (src/upstream/limits.ts): `limit` per minute, refilled continuously, full when first seen, a charge that is let
 * through may leave a bucket in debt. Time is Redis's own (`TIME`), one clock for every replica.
 */
export const BUCKET_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function refill(key, limit, now)
  local h = redis.call('HMGET', key, 'level', 'updatedAt')
  local level = tonumber(h[1]) or limit
  local updated = tonumber(h[2]) or now
  return math.min(limit, level + (now - updated) * limit / 60000)
end
local function save(key, level, now, ttl)
  redis.call('HSET', key, 'level', string.format('%.17g', level), 'updatedAt', string.format('%.17g', now))
  redis.call('PEXPIRE', key, ttl)
end
local function wait_ms(level, limit, amount)
  if level >= amount then return 0 end
  return math.ceil((amount - level) * 60000 / limit)
end
local function remaining(level)
  return math.max(0, math.floor(level))
end
local function reset_ms(level, limit)
  return math.ceil((limit - level) * 60000 / limit)
end
`

/**
 * One attempt's arrival, in one round trip: its seq, attempt counts (run-wide and at this upstream), the buckets'
 * verdict when it generates, and their levels after.
 * KEYS: seq, anon, runAttempts, attempts, rpm, tpm.
 * ARGV: requestId ('' for none), generates (1/0), tokenCost, rpm limit, rpm enforced (1/0), tpm limit,
 * tpm enforced (1/0), ttlMs.
 * Returns: seq, attempt, upstreamAttempt, anon number (0 with an id), refused kind ('' when admitted),
 * retryAfterMs, rpm remaining, rpm resetMs, tpm remaining, tpm resetMs.
 */
export const ARRIVE_LUA = `${BUCKET_LUA}
local ttl = tonumber(ARGV[8])
local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ttl)
local attempt, own, anon = 1, 1, 0
if ARGV[1] ~= '' then
  attempt = redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
  redis.call('PEXPIRE', KEYS[3], ttl)
  own = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
  redis.call('PEXPIRE', KEYS[4], ttl)
else
  anon = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
local now = now_ms()
local rl, tl = tonumber(ARGV[4]), tonumber(ARGV[6])
local r, t = refill(KEYS[5], rl, now), refill(KEYS[6], tl, now)
local kind, retry = '', 0
if ARGV[2] == '1' then
  local tokens = tonumber(ARGV[3])
  if ARGV[5] == '1' and wait_ms(r, rl, 1) > 0 then
    kind, retry = 'requests', wait_ms(r, rl, 1)
  elseif ARGV[7] == '1' and wait_ms(t, tl, tokens) > 0 then
    kind = 'tokens'
    if tokens > tl then retry = 60000 else retry = wait_ms(t, tl, tokens) end
  else
    r, t = r - 1, t - tokens
  end
end
save(KEYS[5], r, now, ttl)
save(KEYS[6], t, now, ttl)
return {seq, attempt, own, anon, kind, retry, remaining(r), reset_ms(r, rl), remaining(t), reset_ms(t, tl)}
`

/**
 * The buckets' levels now, charging nothing. KEYS: rpm, tpm. ARGV: rpm limit, tpm limit.
 * Returns: rpm remaining, rpm resetMs, tpm remaining, tpm resetMs.
 */
export const LIMITS_LUA = `${BUCKET_LUA}
local now = now_ms()
local rl, tl = tonumber(ARGV[1]), tonumber(ARGV[2])
local r, t = refill(KEYS[1], rl, now), refill(KEYS[2], tl, now)
return {remaining(r), reset_ms(r, rl), remaining(t), reset_ms(t, tl)}
`
