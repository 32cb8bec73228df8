//! `Unlimited`: the limiter of a client with no client-side rate limit.

use std::time::Duration;

use super::{Admission, LimiterFuture, RateLimiter};

/// Grants every permit at once and ignores cooldowns: what
/// [`ClientBuilder::no_rate_limit`](crate::ClientBuilder::no_rate_limit) installs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unlimited;

impl RateLimiter for Unlimited {
    fn acquire(&self) -> LimiterFuture<Admission> {
        LimiterFuture::ready(Ok(Admission::Granted))
    }

    fn cool_down(&self, _pause: Duration) -> LimiterFuture<()> {
        LimiterFuture::ready(Ok(()))
    }
}
