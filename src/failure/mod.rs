//! What a failure is, in the terms every part of the client uses: where it happened
//! ([`ErrorKind`]) and what it means for sending again ([`Failure`]), read together by the one
//! classification of errors ([`layer::classify`](crate::layer::classify)) and, for an answer,
//! from its status ([`ResponseFacts`]). The retry loop, the rate limiter, the spans, the
//! metrics and [`Error`](crate::Error)'s predicates all read these answers instead of deciding
//! again.
//!
//! | outcome | [`ErrorKind`] | [`Failure`] |
//! |---|---|---|
//! | connect refused, DNS, TLS handshake, pool checkout, a proxy that refused the tunnel | `Connect`, `Proxy` | `NotSent` |
//! | certificate rejected (unknown issuer, wrong name, expired...), proxy 407 | `Certificate`, `Proxy` | `Blocked` |
//! | the client's own limiter held the attempt back (`Throttled`, `LimiterUnavailable`) | `RateLimited`, `LimiterUnavailable` | `Held` |
//! | 429 (error `type` or `code` not `insufficient_quota`) | `Api` | `RateLimited` |
//! | 429 `insufficient_quota` | `Api` | `OutOfQuota` |
//! | 408, 409, 5xx; attempt or call timeout; connection lost after sending; an error of a layer of yours | `Api`, `AttemptTimeout`, `TotalTimeout`, `Transport`, `Middleware` | `Ambiguous` |
//! | any other status; a body over the cap; a create found already invited | `Api`, `ResponseTooLarge`, `AlreadyInvited` | `Definite` |
//!
//! ```text
//! let (kind, failure) = layer::classify::classify(&error);   // walks the source chain once
//! failure.may_pass()     // Error::is_retryable
//! failure.reached()      // may the attempt have reached the service?
//! ```

mod facts;
mod kind;

pub use kind::ErrorKind;

pub(crate) use facts::ResponseFacts;

use openai_invites_core::OperationMeta;

/// What a failed attempt means for sending it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached the service: any operation may be sent again.
    NotSent,
    /// Nothing reached the service: the client's own rate limiter held the attempt back (its
    /// wait is longer than the call has left, or it could not answer). Sending again within
    /// the call does not help; a later call may pass. The text says why, for errors.
    Held(&'static str),
    /// Nothing reached the service, and the same attempt would fail the same way (the
    /// server's certificate was rejected, the proxy wants credentials): not retried, and not
    /// ambiguous. The text says why, for errors.
    Blocked(&'static str),
    /// The service refused before acting, for now: waiting helps.
    RateLimited,
    /// The service refused: the organization is out of quota; waiting does not help.
    OutOfQuota,
    /// The service may have acted on the request. The text says why, for events and errors.
    Ambiguous(&'static str),
    /// A definite answer (another 4xx), or a failure after the service answered (a body over
    /// the cap), or a finding of the client's (already invited).
    Definite,
}

impl Failure {
    /// The service may have acted on the request.
    pub(crate) fn is_ambiguous(self) -> bool {
        matches!(self, Self::Ambiguous(_))
    }

    /// The attempt may have reached the service (it was not held back, refused a connection,
    /// or blocked before anything was sent).
    pub(crate) fn reached(self) -> bool {
        !matches!(self, Self::NotSent | Self::Held(_) | Self::Blocked(_))
    }

    /// The same request may succeed later ([`Error::is_retryable`](crate::Error::is_retryable):
    /// idempotency and the service's `x-should-retry` aside, which the retry policy weighs).
    pub(crate) fn may_pass(self) -> bool {
        matches!(
            self,
            Self::NotSent | Self::Held(_) | Self::RateLimited | Self::Ambiguous(_)
        )
    }
}

/// Whether `meta`'s operation may change the service's state (anything but a read): only then
/// can its outcome be unknown.
pub(crate) fn changes_state(meta: &OperationMeta) -> bool {
    !meta.method.is_safe()
}
