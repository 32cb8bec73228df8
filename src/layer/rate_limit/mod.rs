//! Client-side rate limiting, shared by every clone of a client and applied per attempt
//! (a retry costs quota too).
//!
//! Callers wait for a permit rather than fail; waiting is a tokio sleep, so dropping a call
//! while it waits leaves nothing behind (with the [`PacedLimiter`], which gives each caller its
//! own slot, the slot goes unused). A wait that would outlast the
//! call's [`Deadline`](crate::layer::Deadline) fails the call at once with [`Throttled`]
//! (nothing is sent). A 429 carrying a retry hint pauses every caller of the client until the
//! hint has passed (capped), not only the one that saw it.
//!
//! The limiter is behind the [`RateLimiter`] trait, whose answers may need I/O, so a backend
//! shared by many processes (such as `openai-invites-redis`) can replace the default
//! in-process [`GovernorLimiter`]. The layer tells a limiter how long each call has left
//! ([`RateLimiter::acquire_within`]), and, when it asks, how each attempt ended
//! ([`RateLimiter::attempt_ended`]): so the [`AdaptiveLimiter`] follows the pace the service
//! announces in its `x-ratelimit-*` headers (`--rate auto` on the command line). The
//! [`PacedLimiter`] spaces requests evenly, each caller its own slot, for a long run that must
//! keep a quota's whole rate (`apply --rate N/s`).
//!
//! ```
//! use std::num::NonZeroU32;
//! use openai_invites::Client;
//! use openai_invites::layer::rate_limit::Quota;
//!
//! // 5 requests per second in bursts of 2, shared by every clone of `client`.
//! let quota = Quota::per_second(NonZeroU32::new(5).unwrap()).allow_burst(NonZeroU32::new(2).unwrap());
//! let client = Client::builder().admin_key("sk-admin-example").rate_limit(quota).build()?;
//! # let _ = client;
//! # Ok::<(), openai_invites::BuildError>(())
//! ```

mod adaptive;
mod cooldown;
mod future;
mod governor;
mod layer;
mod limiter;
mod paced;
mod rate;
mod ticket;
mod unlimited;

pub use self::governor::GovernorLimiter;
pub use ::governor::Quota;
pub use adaptive::AdaptiveLimiter;
pub use cooldown::Cooldown;
pub use future::RateLimitFuture;
pub use layer::{RateLimit, RateLimitLayer, Throttled};
pub use limiter::{Admission, LimiterFuture, LimiterUnavailable, RateLimiter};
pub use paced::PacedLimiter;
pub use rate::{ParseRateError, parse_rate};
pub use unlimited::Unlimited;
