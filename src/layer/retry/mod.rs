//! Retry with backoff and a shared budget: a loop ([`RetryFuture`]) that sends an attempt,
//! asks the [`RetryPolicy`] what its outcome calls for ([`RetryPolicy::decide`], a pure
//! function of the [`Attempt`]), and acts on the one answer, an [`Action`]: wait and send
//! again, read the service ([`reconcile`](super::reconcile)), or hand the outcome back.
//!
//! The policy weighs each failure by its class, decided once by the client's classification
//! (`rules.rs`, in priority order): a request that never left is retried for any operation,
//! and so is a 429 (the service refused before acting); `x-should-retry` is the service's own
//! verdict; `insufficient_quota` is never retried; and an ambiguous failure (408, 409, 5xx, a
//! timeout, a connection lost after sending, an error of a layer of yours) is retried only
//! when the operation is idempotent. `inviteUser` is not: the API has no idempotency key, so a
//! blind re-send could email the person twice; its ambiguous outcomes are settled by reading.
//!
//! The wait is the service's hint (`retry-after-ms`, then `retry-after`) when it is within
//! [`RetryPolicy::max_retry_after`], else exponential [`Backoff`] with jitter; a longer hint
//! means giving up at once, with the hint in the error. A wait that would pass the call's
//! [`Deadline`](crate::layer::Deadline) is not started. Every attempt after the first carries
//! `x-stainless-retry-count: n`, as the official SDKs send it (the attempt span reads its
//! resend count there). A [`RetryBudget`] shared by all clones of a client caps retries when
//! the service is down.
//!
//! The loop counts the attempts and knows, from each outcome's class, whether it may have
//! reached the service: no other layer has to be in the stack for that (a stack of your own
//! without the spans behaves the same).
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

mod action;
mod attempt;
mod backoff;
mod budget;
mod future;
mod layer;
mod policy;
mod round;
mod rules;
mod service;
mod template;

pub use action::{Action, Reason};
pub use attempt::Attempt;
pub use backoff::{Backoff, Jitter};
pub use budget::RetryBudget;
pub use future::RetryFuture;
pub use layer::RetryLayer;
pub use policy::RetryPolicy;
pub use service::{RETRY_COUNT_HEADER, Retry};

#[doc(no_inline)]
pub use super::reconcile::{AlreadyInvited, ReconcilePolicy, Reconciled};
