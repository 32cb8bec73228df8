//! The wall clock behind `created_at`, `expires_at` and `accepted_at`.
//!
//! Injectable so that a test can jump a week ahead and watch a pending invite expire without
//! waiting. Only timestamps use it; delays and the request quota run on tokio's clock, so that
//! `#[tokio::test(start_paused = true)]` drives them.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of "now" for invite timestamps.
///
/// Any `Fn() -> SystemTime` closure is a clock too.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<F: Fn() -> SystemTime + Send + Sync + 'static> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

/// The machine's clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to; clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use openai_invites_mock::ManualClock;
///
/// let clock = ManualClock::at_unix(1_700_000_000);
/// let handle = clock.clone(); // keep one, give the other to the fake
/// handle.advance(Duration::from_secs(60));
/// assert_eq!(clock.unix(), 1_700_000_060);
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    unix: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock stopped at `unix` seconds since the epoch.
    pub fn at_unix(unix: i64) -> Self {
        Self {
            unix: Arc::new(AtomicI64::new(unix)),
        }
    }

    /// A clock stopped at the machine's current time.
    pub fn starting_now() -> Self {
        Self::at_unix(unix_seconds(SystemTime::now()))
    }

    /// Moves the clock forward (whole seconds; the API's timestamps have no finer unit).
    pub fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        // fetch_update never fails with a closure that always returns Some.
        let _ = self
            .unix
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(secs))
            });
    }

    /// Sets the clock to `unix` seconds since the epoch (it may go backwards).
    pub fn set_unix(&self, unix: i64) {
        self.unix.store(unix, Ordering::SeqCst);
    }

    /// The clock's time in unix seconds.
    pub fn unix(&self) -> i64 {
        self.unix.load(Ordering::SeqCst)
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::starting_now()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        let secs = self.unix();
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }
}

/// Seconds since the epoch, negative before it.
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_round_trips_through_system_time() {
        for t in [0, 1_700_000_000, -86_400] {
            let clock = ManualClock::at_unix(t);
            assert_eq!(unix_seconds(clock.now()), t);
        }
    }

    #[test]
    fn clones_share_time_and_closures_are_clocks() {
        let clock = ManualClock::at_unix(10);
        clock.clone().advance(Duration::from_secs(5));
        assert_eq!(clock.unix(), 15);
        clock.set_unix(3);
        assert_eq!(clock.unix(), 3);
        let fixed = || UNIX_EPOCH + Duration::from_secs(42);
        assert_eq!(unix_seconds(Clock::now(&fixed)), 42);
    }
}
