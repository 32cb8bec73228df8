//! Timeouts: one per attempt ([`AttemptTimeoutLayer`], innermost, the client's default
//! [`defaults::ATTEMPT_TIMEOUT`](crate::defaults::ATTEMPT_TIMEOUT)) and one for the whole call
//! including retries and their waits ([`TotalTimeoutLayer`],
//! [`defaults::TOTAL_TIMEOUT`](crate::defaults::TOTAL_TIMEOUT)).
//!
//! They fail with distinct error types, so a caller can tell a slow attempt (which a retry
//! may fix) from a call that ran out of time. Both use tokio's timer, so tests can drive them
//! with paused time.
//!
//! Each arms its own timer. The total timeout puts the call's [`Deadline`] where the layers
//! below read it; an attempt's timer is clamped to it, so an attempt never outlives its call
//! (it then fails with [`TotalTimeoutError`], which the attempt's span records as a timeout).
//!
//! ```
//! use std::time::Duration;
//! use bytes::Bytes;
//! use openai_invites::layer::{AttemptTimeoutError, AttemptTimeoutLayer};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let never = tower::service_fn(|_: http::Request<Bytes>| std::future::pending::<Result<http::Response<Bytes>, std::convert::Infallible>>());
//! let svc = ServiceBuilder::new().layer(AttemptTimeoutLayer::new(Duration::from_secs(1))).service(never);
//! let err = svc.oneshot(http::Request::new(Bytes::new())).await.unwrap_err();
//! assert!(err.is::<AttemptTimeoutError>());
//! # }
//! ```

mod attempt;
mod future;
mod total;

use std::time::Duration;

use tokio::time::Instant;

pub use attempt::{AttemptTimeout, AttemptTimeoutError, AttemptTimeoutLayer};
pub use future::TimeoutFuture;
pub use total::{Deadline, TotalTimeout, TotalTimeoutError, TotalTimeoutFuture, TotalTimeoutLayer};

/// About thirty years: where a timeout too long for an `Instant` ends, as `tokio::time::sleep`
/// reads it.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `timeout` from now. A timeout too long to add (`Duration::MAX` is a common way to say
/// "none") ends in the far future instead of overflowing.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(FAR_FUTURE))
        .unwrap_or(now)
}
