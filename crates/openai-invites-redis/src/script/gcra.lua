-- One permit by GCRA, the rule of governor's direct limiter, on Redis's clock; a shared 429
-- pause denies first. Runs atomically (one EVALSHA), so replicas never race.
--
-- KEYS[1]  the theoretical arrival time (TAT), in microseconds of Redis TIME
-- KEYS[2]  the pause: the microsecond until which every replica waits
-- ARGV[1]  T, the emission interval (quota period / burst), microseconds, >= 1
-- ARGV[2]  tau, the burst tolerance T * (burst - 1), microseconds
--
-- Returns {0, 0} when one permit was taken, {1, wait} when the rate allows none for `wait`
-- microseconds, {2, wait} when a pause holds every caller for `wait` microseconds. A denial
-- writes nothing. `now_us` and `int` come from prelude.lua.

local now = now_us()

local pause_until = tonumber(redis.call('GET', KEYS[2]))
if pause_until and pause_until > now then
  return {2, pause_until - now}
end

local t = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local earliest = tat - tau
if now < earliest then
  return {1, earliest - now}
end

local next_tat = math.max(tat, now) + t
-- Once the TAT has passed, the key says nothing a missing key would not: let it expire then
-- (a second late, so that no clock rounding can drop it early).
local ttl_ms = math.ceil((next_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], int(next_tat), 'PX', int(ttl_ms))
return {0, 0}
