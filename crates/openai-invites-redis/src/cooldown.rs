//! `LocalCooldown`: the copy of a 429 pause this replica keeps for itself.
//!
//! The shared pause lives in Redis; this copy holds this replica's callers without a round
//! trip while it lasts, and still holds them when the pause could not be written to Redis.
//! It is never longer than the shared one (both are the later of all pauses asked for, and
//! this replica asked for a subset of them).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// A lock-free "hold everyone until" on tokio's clock (paused-time tests drive it).
#[derive(Debug)]
pub(crate) struct LocalCooldown {
    start: Instant,
    /// Nanoseconds since `start` until which callers wait (0: never paused).
    until: AtomicU64,
}

impl LocalCooldown {
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            until: AtomicU64::new(0),
        }
    }

    /// Holds every caller for `pause` from now; never shortens a longer pause.
    pub(crate) fn hold(&self, pause: Duration) {
        let pause = u64::try_from(pause.as_nanos()).unwrap_or(u64::MAX);
        let until = self.nanos().saturating_add(pause).max(1);
        self.until.fetch_max(until, Ordering::AcqRel);
    }

    /// What is left of the pause, if one is in force.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        let until = self.until.load(Ordering::Acquire);
        let now = self.nanos();
        (until > now).then(|| Duration::from_nanos(until - now))
    }

    fn nanos(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn holds_for_the_longest_pause_then_lets_go() {
        let cooldown = LocalCooldown::new();
        assert_eq!(cooldown.remaining(), None);
        cooldown.hold(Duration::from_millis(300));
        cooldown.hold(Duration::from_millis(100));
        assert_eq!(cooldown.remaining(), Some(Duration::from_millis(300)));
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(cooldown.remaining(), Some(Duration::from_millis(50)));
        tokio::time::advance(Duration::from_millis(50)).await;
        assert_eq!(cooldown.remaining(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn an_absurd_pause_does_not_overflow() {
        let cooldown = LocalCooldown::new();
        cooldown.hold(Duration::MAX);
        assert!(cooldown.remaining() > Some(Duration::from_secs(1_000_000)));
    }
}
