/**
 * The distributed semaphore of the overload model: slots in use (`active`) and attempts waiting (`queued`) in one
 * hash, so the totals hold across replicas. A newcomer takes a slot at once only when nobody waits (a waiter
 * promotes itself when woken), so it does not jump the queue; waiters about to take the free slots are counted out
 * of the queue's bound, as in one process where a release hands the slot to the first waiter at once.
 * KEYS: capacity. ARGV: max_concurrency, queue, ttlMs.
 * Returns: 1 (slot taken), 0 (queued) or -1 (queue full); active; queued.
 */
export const CAPACITY_ENTER_LUA = `
local h = redis.call('HMGET', KEYS[1], 'active', 'queued')
local active, queued = tonumber(h[1]) or 0, tonumber(h[2]) or 0
local max = tonumber(ARGV[1])
local verdict = -1
if active < max and queued == 0 then
  active = redis.call('HINCRBY', KEYS[1], 'active', 1)
  verdict = 1
elseif queued - math.max(0, max - active) < tonumber(ARGV[2]) then
  queued = redis.call('HINCRBY', KEYS[1], 'queued', 1)
  verdict = 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {verdict, active, queued}
`

/**
 * A queued attempt takes a free slot (leaving the queue), or stays queued.
 * KEYS: capacity. ARGV: max_concurrency, ttlMs. Returns: 1 (slot taken) or 0; active; queued.
 */
export const CAPACITY_PROMOTE_LUA = `
local h = redis.call('HMGET', KEYS[1], 'active', 'queued')
local active, queued = tonumber(h[1]) or 0, tonumber(h[2]) or 0
if active >= tonumber(ARGV[1]) then return {0, active, queued} end
active = redis.call('HINCRBY', KEYS[1], 'active', 1)
if queued > 0 then queued = redis.call('HINCRBY', KEYS[1], 'queued', -1) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, active, queued}
`

/**
 * Gives back a slot (field 'active') or a place in the queue (field 'queued'), never below 0; a freed slot is
 * announced on the channel so that waiters on every replica try to take it.
 * KEYS: capacity. ARGV: field, channel, ttlMs. Returns: active; queued.
 */
export const CAPACITY_LEAVE_LUA = `
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[1] == 'active' then redis.call('PUBLISH', ARGV[2], '{"kind":"release"}') end
local h = redis.call('HMGET', KEYS[1], 'active', 'queued')
return {tonumber(h[1]) or 0, tonumber(h[2]) or 0}
`

/**
 * Joins a run: the first replica sets the rules and the clock origin, the others read them.
 * KEYS: rules, started. ARGV: rules JSON, startedAt (ms since epoch), ttlMs.
 * Returns: rules JSON in force, startedAt in force.
 */
export const JOIN_LUA = `
redis.call('HSETNX', KEYS[1], 'json', ARGV[1])
redis.call('HSETNX', KEYS[1], 'version', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'NX')
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {redis.call('HGET', KEYS[1], 'json'), redis.call('GET', KEYS[2])}
`

/**
 * Replaces the rules in force and announces them. KEYS: rules. ARGV: rules JSON, channel, message, ttlMs.
 * Returns: the rules' new version.
 */
export const RULES_LUA = `
redis.call('HSET', KEYS[1], 'json', ARGV[1])
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return version
`

/**
 * Appends ended journal entries, trimming the stream to about the journal's capacity.
 * KEYS: journal, journalTotal. ARGV: capacity, ttlMs, then each entry's JSON. Returns: the total.
 */
export const APPEND_LUA = `
for i = 3, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[i])
end
local total = redis.call('INCRBY', KEYS[2], #ARGV - 2)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return total
`

/**
 * Forgets what was served (attempt counts, buckets, the journal) and moves the clock origin. The arrival order
 * goes on (a journal read `since` a seq stays valid, as in one process); the slots in use stay (their attempts are
 * still running). KEYS: runAttempts, attempts, rpm, tpm, journal, journalTotal, started.
 * ARGV: startedAt, channel, message, ttlMs.
 */
export const RESET_LUA = `
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
redis.call('SET', KEYS[7], ARGV[1], 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`
