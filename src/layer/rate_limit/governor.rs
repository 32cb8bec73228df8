//! `GovernorLimiter`: the default backend, a GCRA limiter from `governor`, plus a cooldown.

use std::fmt;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gcra};
use tokio::time::Instant;

use super::{Admission, Cooldown, LimiterFuture, RateLimiter};

/// An in-process limiter: `governor`'s GCRA (a direct, unkeyed limiter) for the quota, and a
/// lock-free cooldown for 429s. It answers at once and never allocates.
///
/// Both run on tokio's clock, so paused-time tests drive them.
///
/// ```
/// use std::num::NonZeroU32;
/// use openai_invites::layer::rate_limit::{Admission, GovernorLimiter, Quota};
///
/// let limiter = GovernorLimiter::new(Quota::per_second(NonZeroU32::MIN)); // 1 request/s
/// assert_eq!(limiter.try_acquire(), Admission::Granted);
/// assert!(matches!(limiter.try_acquire(), Admission::Wait(_))); // about a second away
/// ```
pub struct GovernorLimiter {
    gcra: Gcra<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>,
    clock: TokioClock,
    cooldown: Cooldown,
}

impl GovernorLimiter {
    /// A limiter allowing `quota`.
    pub fn new(quota: Quota) -> Self {
        let clock = TokioClock::new();
        Self {
            gcra: Gcra::direct_with_clock(quota, clock),
            clock,
            cooldown: Cooldown::new(),
        }
    }

    /// Takes a permit now, or says how long until one is free (a cooldown included).
    pub fn try_acquire(&self) -> Admission {
        if let Some(wait) = self.cooldown.remaining() {
            return Admission::Wait(wait);
        }
        match self.gcra.check() {
            Ok(()) => Admission::Granted,
            Err(not_until) => Admission::Wait(not_until.wait_time_from(self.clock.now())),
        }
    }

    /// Holds every caller for `pause` from now; a shorter pause never shortens a longer one.
    pub fn pause(&self, pause: Duration) {
        self.cooldown.hold(pause);
    }
}

impl RateLimiter for GovernorLimiter {
    fn acquire(&self) -> LimiterFuture<Admission> {
        LimiterFuture::ready(Ok(self.try_acquire()))
    }

    fn cool_down(&self, pause: Duration) -> LimiterFuture<()> {
        self.pause(pause);
        LimiterFuture::ready(Ok(()))
    }
}

impl fmt::Debug for GovernorLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GovernorLimiter { .. }")
    }
}

/// Time since the limiter was made, on tokio's clock (which paused-time tests control).
#[derive(Debug, Clone, Copy)]
struct TokioClock {
    start: Instant,
}

impl TokioClock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    fn quota(per_second: u32, burst: u32) -> Quota {
        Quota::per_second(NonZeroU32::new(per_second).unwrap())
            .allow_burst(NonZeroU32::new(burst).unwrap())
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_wait() {
        let limiter = GovernorLimiter::new(quota(10, 3));
        for _ in 0..3 {
            assert_eq!(limiter.try_acquire(), Admission::Granted);
        }
        assert_eq!(
            limiter.try_acquire(),
            Admission::Wait(Duration::from_millis(100))
        );
        tokio::time::advance(Duration::from_millis(99)).await;
        assert!(matches!(limiter.try_acquire(), Admission::Wait(_)));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(limiter.try_acquire(), Admission::Granted);
    }

    #[tokio::test(start_paused = true)]
    async fn exactly_the_quota_over_a_second() {
        let limiter = GovernorLimiter::new(quota(10, 1));
        let mut granted = 0;
        for _ in 0..100 {
            if limiter.try_acquire() == Admission::Granted {
                granted += 1;
            }
            tokio::time::advance(Duration::from_millis(10)).await;
        }
        assert_eq!(granted, 10);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cooldown_holds_every_caller() {
        let limiter = GovernorLimiter::new(quota(1000, 1000));
        limiter.pause(Duration::from_millis(300));
        limiter.pause(Duration::from_millis(100)); // a shorter one does not shorten it
        assert_eq!(
            limiter.try_acquire(),
            Admission::Wait(Duration::from_millis(300))
        );
        tokio::time::advance(Duration::from_millis(300)).await;
        assert_eq!(limiter.try_acquire(), Admission::Granted);
    }

    #[tokio::test(start_paused = true)]
    async fn an_absurd_cooldown_does_not_overflow() {
        let limiter = GovernorLimiter::new(quota(1000, 1000));
        limiter.pause(Duration::MAX);
        let Admission::Wait(wait) = limiter.try_acquire() else {
            panic!("expected a wait")
        };
        assert!(wait > Duration::from_secs(1_000_000));
    }

    #[test]
    fn answers_without_polling() {
        let limiter = GovernorLimiter::new(quota(1, 1));
        let mut answer = limiter.acquire();
        assert!(matches!(answer.take_ready(), Some(Ok(Admission::Granted))));
    }
}
