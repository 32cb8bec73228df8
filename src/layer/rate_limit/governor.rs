//! `GovernorLimiter`: the default backend, a GCRA limiter from `governor`, plus a cooldown.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gcra};

use super::{RateLimiter, TokioClock};

/// A direct (not keyed) governor limiter. Generic over the clock so tests can use governor's
/// `FakeRelativeClock`; the client uses [`TokioClock`]. Cooldowns are measured on tokio's
/// clock (paused-time tests drive them).
pub struct GovernorLimiter<C: Clock = TokioClock> {
    gcra: Gcra<NotKeyed, InMemoryState, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    /// Cooldowns are kept lock-free: nanoseconds since `epoch` until which every caller waits
    /// (0: none).
    epoch: tokio::time::Instant,
    cooldown_until: AtomicU64,
}

impl GovernorLimiter<TokioClock> {
    /// A limiter allowing `quota`, on tokio's clock.
    pub fn new(quota: Quota) -> Self {
        Self::with_clock(quota, TokioClock::new())
    }
}

impl<C: Clock + Clone> GovernorLimiter<C> {
    /// A limiter allowing `quota`, on `clock`.
    pub fn with_clock(quota: Quota, clock: C) -> Self {
        Self {
            gcra: Gcra::direct_with_clock(quota, clock.clone()),
            clock,
            epoch: tokio::time::Instant::now(),
            cooldown_until: AtomicU64::new(0),
        }
    }
}

impl<C: Clock> GovernorLimiter<C> {
    fn since_epoch(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

impl<C> RateLimiter for GovernorLimiter<C>
where
    C: Clock + Send + Sync + 'static,
    C::Instant: Send + Sync,
{
    fn try_acquire(&self) -> Result<(), Duration> {
        let until = self.cooldown_until.load(Ordering::Acquire);
        if until != 0 {
            let now = self.since_epoch();
            if now < until {
                return Err(Duration::from_nanos(until - now));
            }
        }
        self.gcra
            .check()
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
            .map(|_| ())
    }

    fn cool_down(&self, pause: Duration) {
        let pause = u64::try_from(pause.as_nanos()).unwrap_or(u64::MAX);
        let until = self.since_epoch().saturating_add(pause).max(1);
        // Keep the later of two overlapping cooldowns.
        self.cooldown_until.fetch_max(until, Ordering::AcqRel);
    }
}

impl<C: Clock> fmt::Debug for GovernorLimiter<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GovernorLimiter { .. }")
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use governor::clock::FakeRelativeClock;

    use super::*;

    fn quota(per_second: u32, burst: u32) -> Quota {
        Quota::per_second(NonZeroU32::new(per_second).unwrap())
            .allow_burst(NonZeroU32::new(burst).unwrap())
    }

    #[test]
    fn burst_then_wait_on_a_fake_clock() {
        let clock = FakeRelativeClock::default();
        let limiter = GovernorLimiter::with_clock(quota(10, 3), clock.clone());
        for _ in 0..3 {
            assert_eq!(limiter.try_acquire(), Ok(()));
        }
        let wait = limiter.try_acquire().unwrap_err();
        assert_eq!(wait, Duration::from_millis(100));
        clock.advance(Duration::from_millis(99));
        assert!(limiter.try_acquire().is_err());
        clock.advance(Duration::from_millis(1));
        assert_eq!(limiter.try_acquire(), Ok(()));
    }

    #[test]
    fn exactly_the_quota_over_a_second() {
        let clock = FakeRelativeClock::default();
        let limiter = GovernorLimiter::with_clock(quota(10, 1), clock.clone());
        let mut granted = 0;
        for _ in 0..100 {
            if limiter.try_acquire().is_ok() {
                granted += 1;
            }
            clock.advance(Duration::from_millis(10));
        }
        assert_eq!(granted, 10);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cooldown_holds_every_caller() {
        let limiter = GovernorLimiter::new(quota(1000, 1000));
        limiter.cool_down(Duration::from_millis(300));
        limiter.cool_down(Duration::from_millis(100)); // a shorter one does not shorten it
        assert_eq!(limiter.try_acquire(), Err(Duration::from_millis(300)));
        tokio::time::advance(Duration::from_millis(300)).await;
        assert_eq!(limiter.try_acquire(), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn an_absurd_cooldown_does_not_overflow() {
        let limiter = GovernorLimiter::new(quota(1000, 1000));
        limiter.cool_down(Duration::MAX);
        assert!(limiter.try_acquire().unwrap_err() > Duration::from_secs(1_000_000));
    }
}
