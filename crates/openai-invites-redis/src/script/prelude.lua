-- What both scripts begin with (prepended to each when the crate is compiled).

-- Redis before 5 replicates scripts verbatim unless told to replicate their effects, which a
-- script that reads TIME and then writes needs. Newer servers always do; the call is a no-op.
if redis.replicate_commands then redis.replicate_commands() end

-- The clock: Redis's own, never a replica's.
local function now_us()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end

-- Integers travel as text: Lua's default number format keeps only 14 digits.
local function int(n)
  return string.format('%.0f', n)
end

