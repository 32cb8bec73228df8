//! What a failed attempt says: did the service act, does waiting help, how long did it ask to
//! wait. Decided here, once per attempt; the retry classifiers, [`Error`](crate::Error)'s
//! predicates and the rate-limit layer all read the answer instead of deciding again.
//!
//! | outcome | [`Failure`] |
//! |---|---|
//! | connect refused, DNS, TLS handshake, pool checkout, a proxy that refused the tunnel | `NotSent` |
//! | certificate rejected (unknown issuer, wrong name, expired...), proxy 407 | `Blocked` |
//! | 429 (error `type` or `code` not `insufficient_quota`) | `RateLimited` |
//! | 429 `insufficient_quota` | `OutOfQuota` |
//! | 408, 409, 5xx, attempt timeout, connection lost after sending | `Ambiguous` |
//! | any other status, or a failure of the client itself | `Definite` |

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::StatusCode;
use openai_invites_core::{ApiError, headers};

use crate::BoxError;
use crate::layer::{AttemptTimeoutError, TotalTimeoutError};
use crate::transport::{Phase, ResponseTooLarge, TransportError};

/// The class of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached the service: any operation may be sent again.
    NotSent,
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
    /// A definite answer (another 4xx), or a failure of the client's own making.
    Definite,
}

impl Failure {
    /// The class of a non-2xx status; `api` is the parsed body, read only for a 429.
    pub(crate) fn of_status(status: StatusCode, api: &ApiError) -> Self {
        match status {
            StatusCode::TOO_MANY_REQUESTS if api.is_insufficient_quota() => Self::OutOfQuota,
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited,
            StatusCode::REQUEST_TIMEOUT => Self::Ambiguous("request timeout (408)"),
            StatusCode::CONFLICT => Self::Ambiguous("conflict (409)"),
            s if s.is_server_error() => Self::Ambiguous("server error (5xx)"),
            _ => Self::Definite,
        }
    }

    /// The class of an error that came out of the layers below the retry loop; `sent`: the
    /// attempt had reached the transport (a layer of yours may fail after that, and the
    /// service may then have acted).
    pub(crate) fn of_error(error: &BoxError, sent: bool) -> Self {
        // A layer of yours may wrap the transport's error: look through its sources.
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error.as_ref());
        while let Some(error) = cause {
            if let Some(transport) = error.downcast_ref::<TransportError>() {
                return match transport.phase() {
                    Phase::Certificate(_) => {
                        Self::Blocked("a certificate does not change between attempts")
                    }
                    Phase::ProxyAuth => Self::Blocked("the proxy needs credentials"),
                    Phase::AfterSend => Self::Ambiguous("connection lost after sending"),
                    Phase::Connect | Phase::Resolve | Phase::ProxyRefused => Self::NotSent,
                };
            }
            if error.is::<AttemptTimeoutError>() || error.is::<TotalTimeoutError>() {
                return Self::Ambiguous("attempt timed out");
            }
            if error.is::<ResponseTooLarge>() {
                // The service answered: a bigger body would not come out smaller on a retry.
                return Self::Definite;
            }
            cause = error.source();
        }
        if sent {
            Self::Ambiguous("a layer failed after the attempt was sent")
        } else {
            Self::Definite
        }
    }

    /// Whether the service may have acted on the request.
    pub(crate) fn is_ambiguous(self) -> bool {
        matches!(self, Self::Ambiguous(_))
    }

    /// Whether the same request may succeed later (ignoring idempotency and the service's
    /// `x-should-retry`, which the retry layer weighs).
    pub(crate) fn may_pass(self) -> bool {
        matches!(self, Self::NotSent | Self::RateLimited | Self::Ambiguous(_))
    }
}

/// Whether the service answered with a success, its body aside (one that did not decode, or
/// was over the cap, included): for a create, that it acted.
pub(crate) fn answered_success(outcome: Result<&http::Response<Bytes>, &BoxError>) -> bool {
    match outcome {
        Ok(response) => response.status().is_success(),
        Err(error) => error
            .downcast_ref::<ResponseTooLarge>()
            .is_some_and(|large| large.status.is_success()),
    }
}

/// Everything the client reads from a non-2xx response, parsed once and kept in the
/// response's extensions, so each layer on the way up reads the same values.
#[derive(Debug, Clone)]
pub(crate) struct ResponseFacts {
    pub(crate) failure: Failure,
    /// The error envelope (or bounded raw body) and the request id.
    pub(crate) api: ApiError,
    /// `retry-after-ms`, else `retry-after`, as a wait from when the response arrived.
    pub(crate) retry_after: Option<Duration>,
    /// `x-should-retry`.
    pub(crate) should_retry: Option<bool>,
}

impl ResponseFacts {
    /// The facts of `response`, parsed on first use; `None` for a 2xx.
    pub(crate) fn of(response: &mut http::Response<Bytes>) -> Option<&ResponseFacts> {
        if response.status().is_success() {
            return None;
        }
        if response.extensions().get::<ResponseFacts>().is_none() {
            let facts = Self::read(response);
            response.extensions_mut().insert(facts);
        }
        response.extensions().get::<ResponseFacts>()
    }

    /// The facts of `response`, taken out of it (parsed now if no layer did); `None` for a 2xx.
    pub(crate) fn take(response: &mut http::Response<Bytes>) -> Option<ResponseFacts> {
        if response.status().is_success() {
            return None;
        }
        let kept = response.extensions_mut().remove::<ResponseFacts>();
        Some(kept.unwrap_or_else(|| Self::read(response)))
    }

    fn read(response: &http::Response<Bytes>) -> Self {
        let api = ApiError::from_response(response);
        let headers = response.headers();
        Self {
            failure: Failure::of_status(response.status(), &api),
            retry_after: headers::retry_after(headers, SystemTime::now()),
            should_retry: headers::should_retry(headers),
            api,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &'static str) -> http::Response<Bytes> {
        http::Response::builder()
            .status(status)
            .header("retry-after-ms", "250")
            .header("x-should-retry", "false")
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap()
    }

    #[test]
    fn statuses_fall_in_their_classes() {
        let quota =
            r#"{"error":{"message":"m","type":"insufficient_quota","param":null,"code":null}}"#;
        for (status, body, class) in [
            (429, "", Failure::RateLimited),
            (429, quota, Failure::OutOfQuota),
            (408, "", Failure::Ambiguous("request timeout (408)")),
            (409, "", Failure::Ambiguous("conflict (409)")),
            (502, "<html>", Failure::Ambiguous("server error (5xx)")),
            (404, "", Failure::Definite),
            (400, "", Failure::Definite),
        ] {
            let mut r = response(status, body);
            assert_eq!(
                ResponseFacts::of(&mut r).unwrap().failure,
                class,
                "{status}"
            );
        }
    }

    #[test]
    fn facts_are_read_once_and_kept() {
        let mut r = response(503, "down");
        let facts = ResponseFacts::of(&mut r).unwrap();
        assert_eq!(facts.retry_after, Some(Duration::from_millis(250)));
        assert_eq!(facts.should_retry, Some(false));
        assert_eq!(facts.api.body.as_deref(), Some("down"));
        // A changed body is not parsed again: the kept facts answer.
        *r.body_mut() = Bytes::from_static(b"other");
        assert_eq!(
            ResponseFacts::of(&mut r).unwrap().api.body.as_deref(),
            Some("down")
        );
        let mut ok = response(200, "{}");
        assert!(ResponseFacts::of(&mut ok).is_none());
    }

    #[test]
    fn errors_fall_in_their_classes() {
        let connect: BoxError = Box::new(TransportError::connect("refused"));
        let lost: BoxError = Box::new(TransportError::after_send("reset"));
        let slow: BoxError = Box::new(AttemptTimeoutError(Duration::from_secs(1)));
        let other: BoxError = "a layer of yours".into();
        let certificate: BoxError = Box::new(TransportError::certificate("unknown issuer"));
        let proxy_auth: BoxError = Box::new(TransportError::new(Phase::ProxyAuth, "407"));
        let refused: BoxError = Box::new(TransportError::new(Phase::ProxyRefused, "403"));
        for blocked in [&certificate, &proxy_auth] {
            let class = Failure::of_error(blocked, true);
            assert!(matches!(class, Failure::Blocked(_)), "{class:?}");
            assert!(!class.may_pass() && !class.is_ambiguous());
        }
        assert_eq!(Failure::of_error(&refused, true), Failure::NotSent);
        assert_eq!(Failure::of_error(&connect, true), Failure::NotSent);
        assert!(Failure::of_error(&lost, true).is_ambiguous());
        assert!(Failure::of_error(&slow, true).is_ambiguous());
        assert_eq!(Failure::of_error(&other, false), Failure::Definite);
        // A layer's failure after the attempt was sent: the service may have acted.
        assert!(Failure::of_error(&other, true).is_ambiguous());
        // A wrapped transport error is found through the sources.
        #[derive(Debug, thiserror::Error)]
        #[error("wrapped")]
        struct Wrapped(#[source] TransportError);
        let wrapped: BoxError = Box::new(Wrapped(TransportError::connect("refused")));
        assert_eq!(Failure::of_error(&wrapped, true), Failure::NotSent);
    }
}
