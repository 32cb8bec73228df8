//! `RetryPolicy`: how many retries, how long to wait, what may be re-sent.

use std::time::Duration;

use super::{Backoff, ReconcilePolicy, RetryBudget};

/// Retry settings; the defaults follow the official SDKs.
///
/// | setting | default |
/// |---|---|
/// | `max_retries` | 2 (3 attempts) |
/// | `backoff` | 0.5 s doubling to 8 s, jitter factor in (0.75, 1] |
/// | `max_retry_after` | 60 s: a longer hint is not waited for, the error carries it |
/// | `retry_non_idempotent` | `false`: `inviteUser` is never re-sent after an ambiguous failure |
/// | `budget` | [`RetryBudget::default`] |
/// | `reconcile` | on: [`ReconcilePolicy::default`] |
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delays when the service gives no hint.
    pub backoff: Backoff,
    /// The longest `retry-after-ms` / `retry-after` hint that is honoured.
    pub max_retry_after: Duration,
    /// Re-send non-idempotent requests after ambiguous failures too (risks duplicates).
    pub retry_non_idempotent: bool,
    /// The shared budget.
    pub budget: RetryBudget,
    /// How ambiguous creates and deletes are settled by reading the service.
    pub reconcile: ReconcilePolicy,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            backoff: Backoff::default(),
            max_retry_after: Duration::from_secs(60),
            retry_non_idempotent: false,
            budget: RetryBudget::default(),
            reconcile: ReconcilePolicy::default(),
        }
    }
}
