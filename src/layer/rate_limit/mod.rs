//! Client-side rate limiting, shared by every clone of a client and applied per attempt
//! (a retry costs quota too).
//!
//! Callers wait for a permit rather than fail; waiting is a tokio sleep, so dropping a call
//! while it waits leaves nothing behind and takes no permit. A 429 carrying a retry hint pauses
//! every caller of the client until the hint has passed (capped), not only the one that saw it.
//!
//! The limiter is behind the small [`RateLimiter`] trait, so another backend (one shared by
//! many processes) can replace the default [`GovernorLimiter`].
//!
//! ```
//! use std::num::NonZeroU32;
//! use openai_invites::layer::rate_limit::{GovernorLimiter, Quota, RateLimiter};
//!
//! let limiter = GovernorLimiter::new(Quota::per_second(NonZeroU32::MIN)); // 1 request/s
//! assert!(limiter.try_acquire().is_ok());
//! assert!(limiter.try_acquire().is_err()); // the next permit is about a second away
//! ```

mod clock;
mod governor;
mod layer;
mod limiter;

pub use self::governor::GovernorLimiter;
pub use ::governor::Quota;
pub use clock::TokioClock;
pub use layer::{RateLimit, RateLimitFuture, RateLimitLayer};
pub use limiter::RateLimiter;
