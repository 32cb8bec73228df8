//! `GovernorLimiter`: the default backend, a GCRA limiter from `governor`, plus a cooldown.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gcra};
use tokio::time::Instant;

use super::{RateLimiter, TokioClock};

/// A direct (not keyed) governor limiter. Generic over the clock so tests can use governor's
/// `FakeRelativeClock`; the client uses [`TokioClock`].
pub struct GovernorLimiter<C: Clock = TokioClock> {
    gcra: Gcra<NotKeyed, InMemoryState, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    cooldown_until: Mutex<Option<Instant>>,
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
            cooldown_until: Mutex::new(None),
        }
    }
}

impl<C> RateLimiter for GovernorLimiter<C>
where
    C: Clock + Send + Sync + 'static,
    C::Instant: Send + Sync,
{
    fn try_acquire(&self) -> Result<(), Duration> {
        let cooldown = *self
            .cooldown_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = cooldown {
            let left = until.saturating_duration_since(Instant::now());
            if !left.is_zero() {
                return Err(left);
            }
        }
        self.gcra
            .check()
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
            .map(|_| ())
    }

    fn cool_down(&self, pause: Duration) {
        let until = Instant::now() + pause;
        let mut slot = self
            .cooldown_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Keep the later of two overlapping cooldowns.
        if slot.is_none_or(|current| current < until) {
            *slot = Some(until);
        }
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
}
