//! Retry with backoff and a shared budget.
//!
//! After each failed attempt, small classifiers decide in priority order whether a retry is
//! safe (`classify.rs`): a request that never left is retried for any operation, and so is a
//! 429 (the service refused before acting); `x-should-retry` is the service's own verdict;
//! `insufficient_quota` is never retried; and an ambiguous failure (408, 409, 5xx, attempt
//! timeout, connection lost after sending) is retried only when the operation is idempotent.
//! `inviteUser` is not: the API has no idempotency key, so a blind re-send could email the
//! person twice.
//!
//! The wait is the service's hint (`retry-after-ms`, then `retry-after`) when it is within
//! [`RetryPolicy::max_retry_after`], else exponential [`Backoff`] with jitter; a longer hint
//! means giving up at once, with the hint in the error. A wait that would pass the call's
//! [`Deadline`](crate::layer::Deadline) is not started. Every attempt after the first carries
//! `x-stainless-retry-count: n`, as the official SDKs send it. A [`RetryBudget`] shared by all
//! clones of a client caps retries when the service is down.
//!
//! Time is tokio's, so tests run the whole policy under paused time; randomness is
//! injectable through [`Jitter`].
//!
//! ```
//! use std::time::Duration;
//! use openai_invites::layer::retry::{Backoff, Jitter, RetryLayer, RetryPolicy};
//!
//! let layer = RetryLayer::new(RetryPolicy {
//!     max_retries: 3,
//!     backoff: Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(2), jitter: Jitter::seeded(42) },
//!     ..RetryPolicy::default()
//! });
//! # let _ = layer;
//! ```

mod backoff;
mod budget;
mod classify;
mod decision;
mod future;
mod layer;
mod policy;
mod reconcile;
mod service;
mod template;

pub use backoff::{Backoff, Jitter};
pub use budget::RetryBudget;
pub(crate) use decision::Decision;
pub use future::RetryFuture;
pub use layer::RetryLayer;
pub use policy::RetryPolicy;
pub use reconcile::{AlreadyInvited, ReconcilePolicy, Reconciled};
pub use service::{RETRY_COUNT_HEADER, Retry};
