//! `RateLimiter`: the two things the layer needs from a limiter backend.

use std::time::Duration;

/// A request-rate limiter shared by every clone of a client.
pub trait RateLimiter: Send + Sync + 'static {
    /// Takes a permit now, or says how long to wait before asking again. Must not block.
    fn try_acquire(&self) -> Result<(), Duration>;

    /// The service answered 429 with a retry hint: hold every caller for `pause`.
    fn cool_down(&self, pause: Duration);
}
