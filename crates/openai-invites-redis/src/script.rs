//! The two Lua scripts (`script/gcra.lua`, `script/pause.lua`, each after `script/prelude.lua`:
//! the clock and number formatting they share) and what their arguments and replies mean in
//! Rust.
//!
//! Both run atomically on the server and read the time from Redis `TIME`, so every replica
//! sees one clock and one state. They are sent by EVALSHA; `redis::Script` loads a script
//! again when the server answers NOSCRIPT (a restart, a failover, `SCRIPT FLUSH`).

use std::time::Duration;

use openai_invites::Quota;
use redis::Script;

use crate::error::StoreError;

/// The GCRA permit script's source.
pub(crate) const GCRA_LUA: &str = concat!(
    include_str!("script/prelude.lua"),
    include_str!("script/gcra.lua")
);
/// The shared pause script's source.
pub(crate) const PAUSE_LUA: &str = concat!(
    include_str!("script/prelude.lua"),
    include_str!("script/pause.lua")
);

/// Both scripts, hashed once.
#[derive(Debug)]
pub(crate) struct Scripts {
    pub(crate) gcra: Script,
    pub(crate) pause: Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Self {
            gcra: Script::new(GCRA_LUA),
            pause: Script::new(PAUSE_LUA),
        }
    }
}

/// How many emission intervals ahead the script reserves at most, whatever the callers ask:
/// with every slot up to there taken, a caller is told to ask again. Each replica holds only
/// a few slots (20 ms of the quota, at least 2), so honest clients stay far inside it (64
/// replicas at 200/s hold 256); it bounds what abandoned reservations can cost the others
/// (each costs one interval) even if some client holds more than its share, e.g. an older
/// or a foreign one.
pub(crate) const HORIZON_INTERVALS: u64 = 1024;

/// A quota as the GCRA script takes it, in whole microseconds (the resolution of Redis
/// `TIME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gcra {
    /// The emission interval: one permit is replenished every `t_us`.
    pub(crate) t_us: u64,
    /// How far ahead of now the TAT may run: `t_us * (burst - 1)`.
    pub(crate) tau_us: u64,
    /// The furthest ahead of now a slot is reserved: [`HORIZON_INTERVALS`] intervals.
    pub(crate) horizon_us: u64,
}

impl Gcra {
    /// Governor's parameters for `quota` (`t = replenish_interval`, `tau = t * (burst - 1)`),
    /// with `t` rounded up to a whole microsecond: never faster than the quota, at least 1 µs.
    pub(crate) fn of(quota: Quota) -> Self {
        let t_ns = quota.replenish_interval().as_nanos().max(1);
        let t_us = u64::try_from(t_ns.div_ceil(1000)).unwrap_or(u64::MAX);
        let extra = u64::from(quota.burst_size().get() - 1);
        Self {
            t_us,
            tau_us: t_us.saturating_mul(extra),
            horizon_us: t_us.saturating_mul(HORIZON_INTERVALS).min(MAX_US),
        }
    }
}

/// What the GCRA script answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// One permit was reserved for the caller, this long from now (zero: at once).
    Reserved(Duration),
    /// The earliest permit is this far away, further than the caller may wait: nothing was
    /// reserved.
    RateLimited(Duration),
    /// A shared 429 pause holds every caller for this long: nothing was reserved.
    Paused(Duration),
    /// Every slot up to the horizon is reserved: nothing was reserved; ask again in this
    /// long.
    Full(Duration),
}

impl Verdict {
    /// Reads the script's `{code, wait_us}` reply.
    pub(crate) fn from_reply((code, wait_us): (i64, i64)) -> Result<Self, StoreError> {
        let micros = Duration::from_micros(u64::try_from(wait_us).unwrap_or(0));
        // A refusal always has a wait of at least 1 µs; a clamp keeps a caller from spinning
        // even if a reply said 0.
        let refused = micros.max(Duration::from_micros(1));
        match code {
            0 => Ok(Self::Reserved(micros)),
            1 => Ok(Self::RateLimited(refused)),
            2 => Ok(Self::Paused(refused)),
            3 => Ok(Self::Full(refused)),
            _ => Err(StoreError::Reply(format!(
                "unexpected GCRA reply {{{code}, {wait_us}}}"
            ))),
        }
    }
}

/// The longest duration the scripts are given, 2^52 µs (about 142 years): Redis's clock plus
/// it stays exact in Lua's numbers (doubles, exact to 2^53) and within Redis's integer
/// replies, so an absurd setting cannot wrap into a wait of 1 µs that has every replica spin.
const MAX_US: u64 = 1 << 52;

/// A duration in whole microseconds, rounded up, as the scripts take them (a pause, the
/// longest wait for a slot), at most [`MAX_US`].
pub(crate) fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos().div_ceil(1000))
        .unwrap_or(u64::MAX)
        .min(MAX_US)
}

#[cfg(test)]
#[path = "script/tests.rs"]
mod tests;
