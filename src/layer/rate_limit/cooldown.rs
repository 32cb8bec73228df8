//! `Cooldown`: "hold every caller until", for a limiter's 429 pauses.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// A lock-free hold on every caller until an instant that only moves forward, on tokio's
/// clock (paused-time tests drive it). [`GovernorLimiter`](super::GovernorLimiter) keeps its
/// 429 cooldown in one; a limiter of your own can too.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::time::Duration;
/// use openai_invites::layer::rate_limit::Cooldown;
///
/// let cooldown = Cooldown::new();
/// cooldown.hold(Duration::from_secs(3));
/// cooldown.hold(Duration::from_secs(1)); // a shorter hold never shortens a longer one
/// assert_eq!(cooldown.remaining(), Some(Duration::from_secs(3)));
/// tokio::time::advance(Duration::from_secs(3)).await;
/// assert_eq!(cooldown.remaining(), None);
/// # }
/// ```
#[derive(Debug)]
pub struct Cooldown {
    start: Instant,
    /// Nanoseconds since `start` until which callers wait (0: never held).
    until: AtomicU64,
}

impl Cooldown {
    /// A cooldown holding no one.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            until: AtomicU64::new(0),
        }
    }

    /// Holds every caller for `pause` from now; never shortens a longer hold.
    pub fn hold(&self, pause: Duration) {
        let pause = u64::try_from(pause.as_nanos()).unwrap_or(u64::MAX);
        let until = self.nanos().saturating_add(pause).max(1);
        self.until.fetch_max(until, Ordering::AcqRel);
    }

    /// What is left of the hold, if one is in force.
    pub fn remaining(&self) -> Option<Duration> {
        let until = self.until.load(Ordering::Acquire);
        if until == 0 {
            return None;
        }
        let now = self.nanos();
        (until > now).then(|| Duration::from_nanos(until - now))
    }

    fn nanos(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

impl Default for Cooldown {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn holds_for_the_longest_pause_then_lets_go() {
        let hold = Cooldown::new();
        assert_eq!(hold.remaining(), None);
        hold.hold(Duration::from_millis(300));
        hold.hold(Duration::from_millis(100));
        assert_eq!(hold.remaining(), Some(Duration::from_millis(300)));
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(hold.remaining(), Some(Duration::from_millis(50)));
        tokio::time::advance(Duration::from_millis(50)).await;
        assert_eq!(hold.remaining(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn an_absurd_pause_does_not_overflow() {
        let hold = Cooldown::new();
        hold.hold(Duration::MAX);
        assert!(hold.remaining() > Some(Duration::from_secs(1_000_000)));
    }
}
