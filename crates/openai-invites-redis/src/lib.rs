//! A rate limiter and 429 cooldown for `openai-invites` clients, shared on Redis by every
//! replica of a service.
//!
//! Each replica's in-process limiter lets N replicas send N times the configured rate, and a
//! 429 seen by one replica pauses only that one. A [`RedisLimiter`] keeps one limit for all
//! of them:
//!
//! - **One round trip per permit**: GCRA in one Lua script (`src/script/gcra.lua`), run
//!   atomically by EVALSHA (loaded again on NOSCRIPT), on the time of Redis `TIME`, never the
//!   replicas' clocks. The script reserves the caller's slot, now or later, and the caller
//!   waits for it in process, so Redis work grows with the rate, not with the number of
//!   waiters. Each replica holds only a few slots at a time, its other callers waiting their
//!   turn: the replicas share the quota equally, and a call dropped while it waits leaves at
//!   most one slot unused (so does a reply lost to the timeout after the script ran). The
//!   script reserves no slot more than 1024 emission intervals ahead, whatever the clients
//!   ask, which bounds what abandoned reservations can cost. The quota means what governor's
//!   [`Quota`](openai_invites::Quota) means: `Quota::per_second(n)` is one permit every `1/n`
//!   s with a burst of `n`; `allow_burst(b)` changes the burst. Each slot is the first
//!   instant at which the in-process limiter, asked with the same quota, would grant it.
//! - **The quota to configure** against a service that counts fixed windows: its own
//!   figure, in bursts of 1, each window lengthened by the spread of delays between a permit
//!   and its request's arrival (20 ms was enough on a busy machine); see the crate's README.
//! - **A shared 429 cooldown**: a replica that sees a 429 with a hint sets the pause to the
//!   later of the one in place and the hint (capped by
//!   [`max_pause`](RedisLimiterBuilder::max_pause)); every replica's permits wait for it.
//! - **Two keys under one hash tag** (one Redis Cluster slot): `{openai-invites:<name>}:tat`
//!   and `{openai-invites:<name>}:pause`, which expire when idle. See [`Keys`].
//! - **Every call bounded** by [`timeout`](RedisLimiterBuilder::timeout) (default 100 ms),
//!   on a redis-rs `ConnectionManager` that reconnects after errors.
//! - **Redis down or slow**: the [`StoreDownPolicy`] answers: by default a local fallback at
//!   the replica's share of the quota (`quota / replicas`), or deny, or allow. One warning
//!   per outage, an event when Redis is back, every failure counted in
//!   [`store_failures`](openai_invites::RateLimiter::store_failures); never a panic, never a
//!   hang.
//!
//! ```
//! use std::num::NonZeroU32;
//! use std::time::Duration;
//! use openai_invites::{Client, Quota};
//! use openai_invites_redis::{RedisLimiter, StoreDownPolicy};
//!
//! // The organization allows 50 requests per second: 4 replicas share that, in bursts of 1,
//! // each second lengthened by 20 ms.
//! let interval = (Duration::from_secs(1) + Duration::from_millis(20)) / 50;
//! let quota = Quota::with_period(interval).unwrap().allow_burst(NonZeroU32::MIN);
//! let limiter = RedisLimiter::builder("redis://127.0.0.1:6379", quota)
//!     .name("org-abc") // keys {openai-invites:org-abc}:tat and :pause
//!     .replicas(NonZeroU32::new(4).unwrap()) // Redis down: a quarter each, in process
//!     .timeout(Duration::from_millis(100))
//!     .on_store_down(StoreDownPolicy::LocalFallback)
//!     .build()?; // connects on first use: building needs no reachable Redis
//! assert_eq!(limiter.keys().tat(), "{openai-invites:org-abc}:tat");
//!
//! let client = Client::builder()
//!     .admin_key("sk-admin-example")
//!     .rate_limiter(limiter)
//!     .build()?;
//! # let _ = client;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A runnable version with a fake service and two replicas is
//! `cargo run -p openai-invites-redis --example shared_rate_limit`.

mod config;
mod error;
mod keys;
mod limiter;
mod outage;
mod policy;
mod script;
mod store;

/// A throwaway `redis-server` for the unit tests (one per test binary, so that a machine
/// without one says once that these tests are skipped).
#[cfg(test)]
#[path = "../tests/support/redis_server.rs"]
mod redis_server;

pub use config::{
    DEFAULT_KEY_NAME, DEFAULT_MAX_PAUSE, DEFAULT_PROBE_INTERVAL, DEFAULT_TIMEOUT,
    RedisLimiterBuilder,
};
pub use error::{BuildError, StoreError};
pub use keys::Keys;
pub use limiter::RedisLimiter;
pub use policy::StoreDownPolicy;
/// The redis-rs crate this one is built on, for [`RedisLimiter::builder_with_client`].
pub use redis;
