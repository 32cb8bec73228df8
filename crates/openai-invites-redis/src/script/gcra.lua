-- One permit by GCRA, the rule of governor's direct limiter, on Redis's clock, reserved ahead:
-- the caller is given the earliest instant the quota allows, now or later, and the TAT moves
-- past it at once, so the next caller is given the next instant. One EVALSHA per permit;
-- callers of every replica are served first come, first served. A shared 429 pause refuses
-- first. Runs atomically, so replicas never race.
--
-- KEYS[1]  the theoretical arrival time (TAT), in microseconds of Redis TIME
-- KEYS[2]  the pause: the microsecond until which every replica waits
-- ARGV[1]  T, the emission interval (quota period / burst), microseconds, >= 1
-- ARGV[2]  tau, the burst tolerance T * (burst - 1), microseconds
-- ARGV[3]  the longest the caller may wait for its slot, microseconds (0: now or never)
-- ARGV[4]  the horizon: no slot is reserved further ahead than this, microseconds, whatever
--          the callers ask, so that what abandoned reservations cost the others is bounded
--          here, not by each client's own restraint
--
-- Returns {0, wait} when a permit was reserved `wait` microseconds from now (0: at once),
-- {1, wait} when the earliest permit is `wait` microseconds away, more than ARGV[3],
-- {2, wait} when a pause holds every caller for `wait` microseconds, and {3, wait} when the
-- slots up to the horizon are all reserved: ask again in `wait` microseconds. Only {0, wait}
-- writes.
-- `now_us` and `int` come from prelude.lua.

local now = now_us()

local pause_until = tonumber(redis.call('GET', KEYS[2]))
if pause_until and pause_until > now then
  return {2, pause_until - now}
end

local t = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local horizon = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local wait = math.max(tat - tau - now, 0)
if wait > max_wait then
  return {1, wait}
end
if wait > horizon then
  return {3, wait - horizon}
end

local next_tat = math.max(tat, now) + t
-- Once the TAT has passed, the key says nothing a missing key would not: let it expire then
-- (a second late, so that no clock rounding can drop it early).
local ttl_ms = math.ceil((next_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], int(next_tat), 'PX', int(ttl_ms))
return {0, wait}
