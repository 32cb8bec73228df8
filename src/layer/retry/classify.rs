//! The classifiers, in priority order. Each reads one attempt's outcome and says retry, no
//! opinion, or forbidden; the first final answer wins, and "no opinion" from all means no retry.
//!
//! | # | classifier | outcome | decision |
//! |---|---|---|---|
//! | 1 | [`never_sent`] | connect refused, DNS, TLS handshake, pool checkout | retry, any operation |
//! | 2 | [`service_verdict`] | `x-should-retry: true` / `false` | retry / forbidden |
//! | 3 | [`out_of_quota`] | 429 with `insufficient_quota` | forbidden |
//! | 4 | [`rate_limited`] | 429 | retry, any operation |
//! | 5 | [`ambiguous`] | 408, 409, 5xx, attempt timeout, connection lost after sending | retry only if idempotent (or opted in) |
//! | 6 | (none) | anything else | no retry |

use bytes::Bytes;
use http::StatusCode;
use openai_invites_core::{ApiError, headers};

use super::Decision;
use crate::BoxError;
use crate::layer::AttemptTimeoutError;
use crate::transport::TransportError;

/// One attempt's outcome, as the retry layer saw it.
pub type Outcome<'a> = &'a Result<http::Response<Bytes>, BoxError>;

/// 1. Nothing reached the service: retrying is safe for every operation.
pub fn never_sent(outcome: Outcome<'_>) -> Decision {
    match outcome {
        Err(e)
            if e.downcast_ref::<TransportError>()
                .is_some_and(TransportError::is_connect) =>
        {
            Decision::Retry("not sent: connection failed")
        }
        _ => Decision::NoOpinion,
    }
}

/// 2. `x-should-retry` is the service's own verdict and wins over the status.
pub fn service_verdict(outcome: Outcome<'_>) -> Decision {
    match outcome
        .as_ref()
        .ok()
        .and_then(|r| headers::should_retry(r.headers()))
    {
        Some(true) => Decision::Retry("the service asked for a retry (x-should-retry: true)"),
        Some(false) => Decision::Forbidden("the service said not to retry (x-should-retry: false)"),
        None => Decision::NoOpinion,
    }
}

/// 3. Out of quota will not pass by waiting.
pub fn out_of_quota(outcome: Outcome<'_>) -> Decision {
    match outcome {
        Ok(r)
            if r.status() == StatusCode::TOO_MANY_REQUESTS
                && ApiError::from_response(r).is_insufficient_quota() =>
        {
            Decision::Forbidden("out of quota (insufficient_quota)")
        }
        _ => Decision::NoOpinion,
    }
}

/// 4. A 429 means the service refused before acting: safe to retry any operation.
pub fn rate_limited(outcome: Outcome<'_>) -> Decision {
    match outcome {
        Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => {
            Decision::Retry("rate limited (429)")
        }
        _ => Decision::NoOpinion,
    }
}

/// 5. The service may have acted: only a repeat-safe request is sent again.
pub fn ambiguous(outcome: Outcome<'_>, repeat_is_safe: bool) -> Decision {
    let reason = match outcome {
        Ok(r) => match r.status() {
            StatusCode::REQUEST_TIMEOUT => "request timeout (408)",
            StatusCode::CONFLICT => "conflict (409)",
            s if s.is_server_error() => "server error (5xx)",
            _ => return Decision::NoOpinion,
        },
        Err(e) if e.is::<AttemptTimeoutError>() => "attempt timed out",
        Err(e) if e.is::<TransportError>() => "connection lost after sending",
        Err(_) => return Decision::NoOpinion,
    };
    if repeat_is_safe {
        Decision::Retry(reason)
    } else {
        Decision::Forbidden("outcome unknown and the operation is not idempotent")
    }
}

/// Runs the classifiers in order.
pub fn classify(outcome: Outcome<'_>, repeat_is_safe: bool) -> Decision {
    [never_sent, service_verdict, out_of_quota, rate_limited]
        .into_iter()
        .map(|classifier| classifier(outcome))
        .find(Decision::is_final)
        .unwrap_or_else(|| ambiguous(outcome, repeat_is_safe))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(
        status: u16,
        headers: &[(&'static str, &'static str)],
        body: &'static str,
    ) -> Result<http::Response<Bytes>, BoxError> {
        let mut builder = http::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        Ok(builder.body(Bytes::from_static(body.as_bytes())).unwrap())
    }

    fn err(e: impl Into<BoxError>) -> Result<http::Response<Bytes>, BoxError> {
        Err(e.into())
    }

    #[test]
    fn never_sent_is_retried_even_when_not_idempotent() {
        let outcome = err(TransportError::connect("refused"));
        assert_eq!(
            classify(&outcome, false),
            Decision::Retry("not sent: connection failed")
        );
    }

    #[test]
    fn the_service_verdict_wins() {
        let no = response(500, &[("x-should-retry", "false")], "");
        assert!(matches!(classify(&no, true), Decision::Forbidden(_)));
        let yes = response(400, &[("x-should-retry", "true")], "");
        assert!(matches!(classify(&yes, false), Decision::Retry(_)));
    }

    #[test]
    fn quota_429_is_not_retried_other_429s_are() {
        let quota = response(
            429,
            &[],
            r#"{"error":{"message":"m","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
        );
        assert!(matches!(classify(&quota, true), Decision::Forbidden(_)));
        let busy = response(
            429,
            &[],
            r#"{"error":{"message":"m","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
        );
        assert_eq!(
            classify(&busy, false),
            Decision::Retry("rate limited (429)")
        );
    }

    #[test]
    fn ambiguous_outcomes_depend_on_idempotency() {
        for outcome in [
            response(500, &[], ""),
            response(502, &[], "<html>"),
            response(408, &[], ""),
            response(409, &[], ""),
            err(AttemptTimeoutError(std::time::Duration::from_secs(1))),
            err(TransportError::after_send("reset")),
        ] {
            assert!(matches!(classify(&outcome, true), Decision::Retry(_)));
            assert_eq!(
                classify(&outcome, false),
                Decision::Forbidden("outcome unknown and the operation is not idempotent")
            );
        }
    }

    #[test]
    fn everything_else_is_not_retried() {
        for outcome in [
            response(200, &[], ""),
            response(400, &[], ""),
            response(404, &[], ""),
            err("some layer failed"),
        ] {
            assert_eq!(classify(&outcome, true), Decision::NoOpinion);
        }
    }
}
