//! `NotBefore`: the instant before which this replica knows that no permit is free.
//!
//! It learns it from Redis's answers (the next GCRA emission, a shared 429 pause) and from
//! the 429s it sees itself. Until then its callers are told to wait without a round trip:
//! many waiters of one replica do not all ask Redis for the same permit, and a pause still
//! holds this replica when it could not be written to Redis. It never holds a caller too
//! long: the TAT and the pause only move forward (a key expires only once it has passed).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// A lock-free "hold everyone until" on tokio's clock (paused-time tests drive it).
#[derive(Debug)]
pub(crate) struct NotBefore {
    start: Instant,
    /// Nanoseconds since `start` until which callers wait (0: never paused).
    until: AtomicU64,
}

impl NotBefore {
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            until: AtomicU64::new(0),
        }
    }

    /// Holds every caller for `pause` from now; never shortens a longer hold.
    pub(crate) fn hold(&self, pause: Duration) {
        let pause = u64::try_from(pause.as_nanos()).unwrap_or(u64::MAX);
        let until = self.nanos().saturating_add(pause).max(1);
        self.until.fetch_max(until, Ordering::AcqRel);
    }

    /// What is left of the hold, if one is in force.
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
        let hold = NotBefore::new();
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
        let hold = NotBefore::new();
        hold.hold(Duration::MAX);
        assert!(hold.remaining() > Some(Duration::from_secs(1_000_000)));
    }
}
