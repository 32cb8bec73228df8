-- A 429 cooldown shared by every replica: the pause ends at the later of the one in place and
-- now + ARGV[1]; it is never shortened.
--
-- KEYS[1]  the pause: the microsecond of Redis TIME until which every replica waits
-- ARGV[1]  the pause asked for, microseconds (already capped by the caller)
--
-- Returns the pause now in force, microseconds from now. `now_us` and `int` come from
-- prelude.lua.

local now = now_us()
local pause = tonumber(ARGV[1])
local resume_at = now + pause

local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= resume_at then
  return current - now
end

-- Expires a second after it ends, like the TAT.
redis.call('SET', KEYS[1], int(resume_at), 'PX', int(math.ceil(pause / 1000) + 1000))
return pause
