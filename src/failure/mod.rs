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
//! | any other status; a 2xx body over the cap; a create found already invited | `Api`, `ResponseTooLarge`, `AlreadyInvited` | `Definite` |
//! | a non-2xx body over the cap | `ResponseTooLarge` | as its status above (the body unread) |
//!
//! ```text
//! let (kind, failure) = layer::classify::classify(&error);   // walks the source chain once
//! failure.may_pass()     // Error::is_retryable
//! failure.reached()      // may the attempt have reached the service?
//! ```

mod facts;
mod kind;

pub use kind::ErrorKind;

pub(crate) use facts::{ResponseFacts, may_still_be_at_work};

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
    /// A definite answer (another 4xx), or a failure after the service answered 2xx (a body
    /// over the cap), or a finding of the client's (already invited).
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

/// How an attempt ended, as [`effect`] weighs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The service answered 2xx; `readable`: its body says what was done (for a create, the
    /// invite it made), as far as the client read it.
    Answered { readable: bool },
    /// No 2xx; `may_have_acted`: the service may have acted on it all the same.
    Failed { may_have_acted: bool },
}

/// What an attempt tells about the call's effect on the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Nothing new: a read, or a failure the service did not act on.
    Unchanged,
    /// The answer says what was done: it settles what the call's attempts did.
    Settled,
    /// The service may have acted, and the client cannot tell what it did.
    Unknown,
}

/// Whether the service may have acted on an attempt of `meta`'s operation (`None`: an
/// unknown one, taken as a create) without the client knowing what it did: the one place
/// this is decided, for the retry loop and for the call's answer.
///
/// A 2xx settles the call, unless its body cannot be read and the operation's answer is what
/// it made (a create: a repeat would make another, so the body is the only word on which
/// invite it was); a failure that may have been acted on leaves an operation that changes
/// state unknown.
pub(crate) fn effect(meta: Option<&OperationMeta>, ended: Ended) -> Effect {
    match ended {
        Ended::Answered { readable: true } => Effect::Settled,
        Ended::Answered { readable: false } if meta.is_some_and(|m| m.idempotent) => {
            Effect::Settled
        }
        Ended::Answered { readable: false } => Effect::Unknown,
        Ended::Failed { may_have_acted } if may_have_acted && meta.is_none_or(changes_state) => {
            Effect::Unknown
        }
        Ended::Failed { .. } => Effect::Unchanged,
    }
}

#[cfg(test)]
mod tests {
    use openai_invites_core::{DeleteInvite, InviteUser, ListInvites, Operation};

    use super::*;

    #[test]
    fn only_a_change_the_client_cannot_read_is_unknown() {
        let unreadable = Ended::Answered { readable: false };
        let ambiguous = Ended::Failed {
            may_have_acted: true,
        };
        let refused = Ended::Failed {
            may_have_acted: false,
        };
        // A create answered 2xx without its invite: made, but which one is unknown.
        assert_eq!(effect(Some(&InviteUser::META), unreadable), Effect::Unknown);
        assert_eq!(effect(Some(&InviteUser::META), ambiguous), Effect::Unknown);
        // A delete's 2xx says it is done, whatever its body.
        assert_eq!(
            effect(Some(&DeleteInvite::META), unreadable),
            Effect::Settled
        );
        assert_eq!(
            effect(Some(&DeleteInvite::META), ambiguous),
            Effect::Unknown
        );
        // A read changes nothing.
        assert_eq!(
            effect(Some(&ListInvites::META), ambiguous),
            Effect::Unchanged
        );
        assert_eq!(effect(Some(&InviteUser::META), refused), Effect::Unchanged);
        assert_eq!(effect(None, ambiguous), Effect::Unknown);
    }
}
