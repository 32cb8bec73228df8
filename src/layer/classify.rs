//! The one classification of an error that leaves a layer of the stack: ours, the
//! transport's, a timeout, the limiter's, a layer of yours, wrapped or not. One walk down its
//! source chain finds the first error the client knows and reads its [`ErrorKind`] and its
//! [`Failure`] together; the retry loop, the spans, the metrics and
//! [`Error`](crate::Error)'s predicates all read this answer.
//!
//! An error with nothing the client knows in its chain (a layer of yours failed) may have
//! come after the attempt was sent: it is [`ErrorKind::Middleware`] and ambiguous, so a create
//! is settled by reading the invites, never sent again blind.
//!
//! ```text
//! let found = classify(&error);
//! found.kind      // ErrorKind::Connect, for a connect error wrapped by a layer of yours
//! found.failure   // Failure::NotSent: any operation may be sent again
//! ```

use std::error::Error as StdError;

use crate::failure::{ErrorKind, Failure};
use crate::layer::rate_limit::{LimiterUnavailable, Throttled};
use crate::layer::reconcile::AlreadyInvited;
use crate::layer::{AttemptTimeoutError, TotalTimeoutError};
use crate::transport::{Phase, ResponseTooLarge, TransportError};

/// What the classification found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Classified<'a> {
    pub(crate) kind: ErrorKind,
    pub(crate) failure: Failure,
    /// The error of the client's that decided it, for the facts it carries.
    pub(crate) cause: Option<Cause<'a>>,
}

/// The errors whose facts the client reads beyond their kind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cause<'a> {
    TooLarge(&'a ResponseTooLarge),
    Throttled(&'a Throttled),
    AlreadyInvited(&'a AlreadyInvited),
}

impl Classified<'_> {
    /// The service answered 2xx (a body over the cap): for a create, it acted.
    pub(crate) fn answered_success(&self) -> bool {
        matches!(self.cause, Some(Cause::TooLarge(large)) if large.status.is_success())
    }
}

/// Classifies `error`, walking its source chain once.
pub(crate) fn classify<'a>(error: &'a (dyn StdError + 'static)) -> Classified<'a> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = known(error) {
            return found;
        }
        next = error.source();
    }
    Classified {
        kind: ErrorKind::Middleware,
        failure: Failure::Ambiguous("a layer failed, maybe after the attempt was sent"),
        cause: None,
    }
}

/// The classification of one error of the client's, or `None` for any other.
fn known<'a>(error: &'a (dyn StdError + 'static)) -> Option<Classified<'a>> {
    let plain = |kind, failure| Classified {
        kind,
        failure,
        cause: None,
    };
    if let Some(transport) = error.downcast_ref::<TransportError>() {
        return Some(match transport.phase() {
            Phase::Connect | Phase::Resolve => plain(ErrorKind::Connect, Failure::NotSent),
            Phase::ProxyRefused => plain(ErrorKind::Proxy, Failure::NotSent),
            Phase::Certificate(_) => plain(
                ErrorKind::Certificate,
                Failure::Blocked("a certificate does not change between attempts"),
            ),
            Phase::ProxyAuth => plain(
                ErrorKind::Proxy,
                Failure::Blocked("the proxy needs credentials"),
            ),
            Phase::AfterSend => plain(
                ErrorKind::Transport,
                Failure::Ambiguous("connection lost after sending"),
            ),
        });
    }
    if error.is::<AttemptTimeoutError>() {
        return Some(plain(
            ErrorKind::AttemptTimeout,
            Failure::Ambiguous("attempt timed out"),
        ));
    }
    if error.is::<TotalTimeoutError>() {
        return Some(plain(
            ErrorKind::TotalTimeout,
            Failure::Ambiguous("the call timed out"),
        ));
    }
    if error.is::<LimiterUnavailable>() {
        return Some(plain(
            ErrorKind::LimiterUnavailable,
            Failure::Held("the rate limiter could not answer"),
        ));
    }
    let (kind, failure, cause) = if let Some(large) = error.downcast_ref::<ResponseTooLarge>() {
        // The service answered: its status says what it did, as for any answer (a 2xx's
        // bigger body would not come out smaller on a retry).
        let failure = match large.status.is_success() {
            true => Failure::Definite,
            false => Failure::of_unread_status(large.status),
        };
        (ErrorKind::ResponseTooLarge, failure, Cause::TooLarge(large))
    } else if let Some(throttled) = error.downcast_ref::<Throttled>() {
        let held = Failure::Held("the rate limiter holds calls longer than this one has left");
        (ErrorKind::RateLimited, held, Cause::Throttled(throttled))
    } else if let Some(already) = error.downcast_ref::<AlreadyInvited>() {
        let cause = Cause::AlreadyInvited(already);
        (ErrorKind::AlreadyInvited, Failure::Definite, cause)
    } else {
        return None;
    };
    Some(Classified {
        kind,
        failure,
        cause: Some(cause),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::BoxError;

    #[derive(Debug, thiserror::Error)]
    #[error("a layer of yours: {0}")]
    struct Wrapped(#[source] BoxError);

    fn of(error: impl Into<BoxError>) -> (ErrorKind, Failure) {
        let error = error.into();
        let found = classify(error.as_ref());
        (found.kind, found.failure)
    }

    #[test]
    fn each_error_of_the_client_has_its_kind_and_class() {
        let refused = || TransportError::connect("refused");
        assert_eq!(of(refused()), (ErrorKind::Connect, Failure::NotSent));
        let proxy = TransportError::new(Phase::ProxyRefused, "403");
        assert_eq!(of(proxy), (ErrorKind::Proxy, Failure::NotSent));
        let (kind, failure) = of(TransportError::certificate("unknown issuer"));
        assert!(kind == ErrorKind::Certificate && matches!(failure, Failure::Blocked(_)));
        let (kind, failure) = of(TransportError::new(Phase::ProxyAuth, "407"));
        assert!(kind == ErrorKind::Proxy && !failure.reached() && !failure.may_pass());
        let (kind, failure) = of(TransportError::after_send("reset"));
        assert!(kind == ErrorKind::Transport && failure.is_ambiguous());
        let (kind, failure) = of(AttemptTimeoutError(Duration::from_secs(1)));
        assert!(kind == ErrorKind::AttemptTimeout && failure.is_ambiguous());
        let throttled = Throttled {
            wait: Duration::from_secs(9),
            left: Duration::from_secs(1),
        };
        let (kind, failure) = of(throttled);
        assert!(kind == ErrorKind::RateLimited && !failure.reached() && failure.may_pass());
    }

    #[test]
    fn a_wrapped_error_is_what_it_wraps() {
        for error in [
            Box::new(TransportError::connect("refused")) as BoxError,
            Box::new(AttemptTimeoutError(Duration::from_secs(1))),
            Box::new(TransportError::certificate("expired")),
        ] {
            let plain = classify(error.as_ref());
            let (kind, failure) = (plain.kind, plain.failure);
            let wrapped = Wrapped(Wrapped(error).into());
            assert_eq!(of(wrapped), (kind, failure));
        }
    }

    #[test]
    fn an_unknown_error_may_have_been_sent() {
        let (kind, failure) = of("a layer of yours failed");
        assert_eq!(kind, ErrorKind::Middleware);
        assert!(failure.is_ambiguous() && failure.reached());
    }
}
