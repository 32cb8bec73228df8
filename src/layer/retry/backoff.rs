//! `Backoff`: exponential delays with jitter, like the official SDKs.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::defaults;

/// A source of uniform numbers in `[0, 1)`, injectable so tests are deterministic.
#[derive(Clone)]
pub struct Jitter(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Jitter {
    /// The thread-local fast RNG (the default).
    pub fn random() -> Self {
        Self(Arc::new(fastrand::f64))
    }

    /// A seeded RNG: the same sequence every run.
    pub fn seeded(seed: u64) -> Self {
        let rng = Mutex::new(fastrand::Rng::with_seed(seed));
        Self(Arc::new(move || {
            rng.lock().unwrap_or_else(PoisonError::into_inner).f64()
        }))
    }

    /// No jitter: always the longest delay.
    pub fn none() -> Self {
        Self(Arc::new(|| 0.0))
    }

    fn sample(&self) -> f64 {
        (self.0)().clamp(0.0, 1.0)
    }
}

impl fmt::Debug for Jitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Jitter")
    }
}

/// `min(base * 2^n, cap)` scaled by a random factor in `(0.75, 1]`, `n` = retries so far.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The first delay (default [`defaults::BACKOFF_BASE`]).
    pub base: Duration,
    /// The longest delay (default [`defaults::BACKOFF_CAP`]).
    pub cap: Duration,
    /// The randomness.
    pub jitter: Jitter,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: defaults::BACKOFF_BASE,
            cap: defaults::BACKOFF_CAP,
            jitter: Jitter::random(),
        }
    }
}

impl Backoff {
    /// The delay before retry number `retry` (0 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let exponential = self.base.saturating_mul(2u32.saturating_pow(retry.min(31)));
        let capped = exponential.min(self.cap);
        capped.mul_f64(1.0 - 0.25 * self.jitter.sample())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The backoff the tests check: 0.5 s doubling to 8 s, whatever the defaults.
    fn backoff(jitter: Jitter) -> Backoff {
        Backoff {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(8),
            jitter,
        }
    }

    #[test]
    fn grows_then_caps_within_jitter_bounds() {
        let backoff = backoff(Jitter::seeded(7));
        for (retry, full) in [
            (0, 500),
            (1, 1000),
            (2, 2000),
            (3, 4000),
            (4, 8000),
            (5, 8000),
            (40, 8000),
        ] {
            let delay = backoff.delay(retry).as_millis() as u64;
            assert!(
                delay > full * 3 / 4 && delay <= full,
                "retry {retry}: {delay} ms"
            );
        }
    }

    #[test]
    fn no_jitter_is_the_full_delay() {
        let backoff = backoff(Jitter::none());
        assert_eq!(backoff.delay(1), Duration::from_secs(1));
    }

    #[test]
    fn seeded_jitter_repeats() {
        let a = backoff(Jitter::seeded(1));
        let b = backoff(Jitter::seeded(1));
        let da: Vec<_> = (0..5).map(|n| a.delay(n)).collect();
        let db: Vec<_> = (0..5).map(|n| b.delay(n)).collect();
        assert_eq!(da, db);
    }
}
