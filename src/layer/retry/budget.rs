//! `RetryBudget`: a token bucket shared by every clone of a client, so a service that is down
//! is not hammered by retries from many callers at once.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tower::retry::budget::{Budget, TpsBudget};

use crate::defaults;

/// Every call deposits; every retry withdraws. When the bucket is empty, failures are returned
/// without retrying.
///
/// Default: a window of [`defaults::RETRY_BUDGET_WINDOW`], a reserve of
/// [`defaults::RETRY_BUDGET_MIN_PER_SEC`] retries per second, and
/// [`defaults::RETRY_BUDGET_RATIO`] retries per call in the window. So against a service that
/// always fails, a burst of calls earns that ratio of a retry per call (plus the reserve),
/// not every retry `max_retries` allows; a trickle of calls keeps its retries. The window
/// runs on tokio's clock (paused-time tests drive it).
#[derive(Clone)]
pub struct RetryBudget(Arc<TpsBudget>);

impl RetryBudget {
    /// A bucket over a `window`, allowing `min_per_sec` retries per second regardless of
    /// traffic, plus `retry_ratio` (0.0..=1000.0) retries per call.
    pub fn new(window: Duration, min_per_sec: u32, retry_ratio: f32) -> Self {
        let window = window.clamp(Duration::from_secs(1), Duration::from_secs(60));
        let ratio = if retry_ratio.is_finite() {
            retry_ratio.clamp(0.0, 1000.0)
        } else {
            0.0
        };
        // tower asserts on values it cannot hold; clamp instead of panicking.
        let min_per_sec = min_per_sec.min(1_000_000);
        Self(Arc::new(TpsBudget::new(window, min_per_sec, ratio)))
    }

    /// A call was made.
    pub fn deposit(&self) {
        self.0.deposit();
    }

    /// Takes one retry from the bucket; `false` when it is empty.
    pub fn withdraw(&self) -> bool {
        self.0.withdraw()
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(
            defaults::RETRY_BUDGET_WINDOW,
            defaults::RETRY_BUDGET_MIN_PER_SEC,
            defaults::RETRY_BUDGET_RATIO,
        )
    }
}

impl fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RetryBudget { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_settings_do_not_panic() {
        let budget = RetryBudget::new(Duration::MAX, u32::MAX, f32::NAN);
        assert!(budget.withdraw());
        let _ = RetryBudget::new(Duration::ZERO, 0, -1.0);
    }

    #[test]
    fn an_empty_budget_refuses() {
        let budget = RetryBudget::new(Duration::from_secs(10), 0, 0.0);
        budget.deposit();
        assert!(!budget.withdraw());
    }

    #[test]
    fn deposits_buy_retries_and_clones_share() {
        let budget = RetryBudget::new(Duration::from_secs(10), 0, 0.5);
        let clone = budget.clone();
        for _ in 0..10 {
            clone.deposit();
        }
        let granted = (0..10).filter(|_| budget.withdraw()).count();
        assert_eq!(granted, 5);
    }
}
