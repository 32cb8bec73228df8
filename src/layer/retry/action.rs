//! `Action`: what the retry loop does after an attempt, as the policy decides it.

use std::time::Duration;

/// Why a retry is or is not made; short, stable strings for events, metrics and errors.
pub type Reason = &'static str;

/// What the retry loop does after an attempt: the one answer of
/// [`RetryPolicy::decide`](super::RetryPolicy::decide), from the attempt's outcome (its [`ErrorKind`](crate::ErrorKind) and retry class),
/// the operation, the retries made and the time left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Hand the outcome back as it is: a success, or a failure no rule retries.
    Return,
    /// Hand the failure back, not retried for this reason (it appears in the error).
    GiveUp(Reason),
    /// Wait, then send the request again.
    Retry {
        /// Why.
        reason: Reason,
        /// The wait: the service's hint, else backoff.
        after: Duration,
    },
    /// The create may have taken effect: read the invites to find out before anything else.
    Reconcile,
    /// A delete answered 404 after an earlier attempt that may have deleted the invite: that
    /// attempt did it, so the call succeeded.
    Deleted,
}
