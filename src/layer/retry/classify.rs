//! The classifiers, in priority order. Each reads one failed attempt and says retry, no
//! opinion, or forbidden; the first final answer wins. What an outcome *is* (not sent, rate
//! limited, ambiguous...) is decided once, in [`failure`](crate::failure); these only weigh it.
//!
//! | # | classifier | outcome | decision |
//! |---|---|---|---|
//! | 1 | [`never_sent`] | connect refused, DNS, TLS handshake, pool checkout | retry, any operation |
//! | 2 | [`service_verdict`] | `x-should-retry: true` / `false` | retry / forbidden |
//! | 3 | [`out_of_quota`] | 429 with `insufficient_quota` | forbidden |
//! | 4 | [`rate_limited`] | 429 | retry, any operation |
//! | 5 | [`ambiguous`] | 408, 409, 5xx, attempt timeout, connection lost after sending | retry only if idempotent (or opted in) |
//! | 6 | (none) | anything else | no retry |

use super::Decision;
use crate::failure::{Failure, ResponseFacts};

/// A failed attempt as the classifiers see it: a non-2xx answer, or an error.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Attempted<'a> {
    /// The service answered with a non-2xx status.
    Answered(&'a ResponseFacts),
    /// No answer: the transport, a timeout or a layer failed, in this way (classified once,
    /// by [`Failure::of_error`]).
    Failed(Failure),
}

impl Attempted<'_> {
    /// The class of the failure.
    pub(crate) fn failure(self) -> Failure {
        match self {
            Self::Answered(facts) => facts.failure,
            Self::Failed(failure) => failure,
        }
    }

    fn hint(self) -> Option<std::time::Duration> {
        match self {
            Self::Answered(facts) => facts.retry_after,
            Self::Failed(_) => None,
        }
    }

    fn retry(self, reason: &'static str) -> Decision {
        Decision::Retry {
            reason,
            after: self.hint(),
        }
    }
}

/// 1. Nothing reached the service: retrying is safe for every operation.
pub(crate) fn never_sent(attempt: Attempted<'_>) -> Decision {
    match attempt.failure() {
        Failure::NotSent => attempt.retry("not sent: connection failed"),
        _ => Decision::NoOpinion,
    }
}

/// 2. `x-should-retry` is the service's own verdict and wins over the status.
pub(crate) fn service_verdict(attempt: Attempted<'_>) -> Decision {
    match attempt {
        Attempted::Answered(facts) => match facts.should_retry {
            Some(true) => attempt.retry("the service asked for a retry (x-should-retry: true)"),
            Some(false) => {
                Decision::Forbidden("the service said not to retry (x-should-retry: false)")
            }
            None => Decision::NoOpinion,
        },
        Attempted::Failed(_) => Decision::NoOpinion,
    }
}

/// 3. Out of quota will not pass by waiting.
pub(crate) fn out_of_quota(attempt: Attempted<'_>) -> Decision {
    match attempt.failure() {
        Failure::OutOfQuota => Decision::Forbidden("out of quota (insufficient_quota)"),
        _ => Decision::NoOpinion,
    }
}

/// 4. A 429 means the service refused before acting: safe to retry any operation.
pub(crate) fn rate_limited(attempt: Attempted<'_>) -> Decision {
    match attempt.failure() {
        Failure::RateLimited => attempt.retry("rate limited (429)"),
        _ => Decision::NoOpinion,
    }
}

/// 5. The service may have acted: only a repeat-safe request is sent again.
pub(crate) fn ambiguous(attempt: Attempted<'_>, repeat_is_safe: bool) -> Decision {
    match attempt.failure() {
        Failure::Ambiguous(reason) if repeat_is_safe => attempt.retry(reason),
        Failure::Ambiguous(_) => {
            Decision::Forbidden("outcome unknown and the operation is not idempotent")
        }
        _ => Decision::NoOpinion,
    }
}

/// Runs the classifiers in order.
pub(crate) fn classify(attempt: Attempted<'_>, repeat_is_safe: bool) -> Decision {
    [never_sent, service_verdict, out_of_quota, rate_limited]
        .into_iter()
        .map(|classifier| classifier(attempt))
        .find(Decision::is_final)
        .unwrap_or_else(|| ambiguous(attempt, repeat_is_safe))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;
    use crate::BoxError;
    use crate::layer::AttemptTimeoutError;
    use crate::transport::TransportError;

    fn answer(status: u16, headers: &[(&'static str, &'static str)], body: &'static str) -> Owned {
        let mut builder = http::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let mut response = builder.body(Bytes::from_static(body.as_bytes())).unwrap();
        let facts = ResponseFacts::of(&mut response).unwrap().clone();
        Owned::Facts(facts)
    }

    fn err(e: impl Into<BoxError>) -> Owned {
        Owned::Error(e.into())
    }

    /// A failed attempt the tests own.
    enum Owned {
        Facts(ResponseFacts),
        Error(BoxError),
    }

    fn classify_owned(attempt: &Owned, safe: bool) -> Decision {
        match attempt {
            Owned::Facts(f) => classify(Attempted::Answered(f), safe),
            Owned::Error(e) => classify(Attempted::Failed(Failure::of_error(e, false)), safe),
        }
    }

    #[test]
    fn never_sent_is_retried_even_when_not_idempotent() {
        let outcome = err(TransportError::connect("refused"));
        assert_eq!(
            classify_owned(&outcome, false),
            Decision::Retry {
                reason: "not sent: connection failed",
                after: None
            }
        );
    }

    #[test]
    fn the_service_verdict_wins() {
        let no = answer(500, &[("x-should-retry", "false")], "");
        assert!(matches!(classify_owned(&no, true), Decision::Forbidden(_)));
        let yes = answer(400, &[("x-should-retry", "true")], "");
        assert!(matches!(
            classify_owned(&yes, false),
            Decision::Retry { .. }
        ));
    }

    #[test]
    fn quota_429_is_not_retried_other_429s_are_with_their_hint() {
        let quota = answer(
            429,
            &[],
            r#"{"error":{"message":"m","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
        );
        assert!(matches!(
            classify_owned(&quota, true),
            Decision::Forbidden(_)
        ));
        let busy = answer(
            429,
            &[("retry-after-ms", "120")],
            r#"{"error":{"message":"m","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
        );
        assert_eq!(
            classify_owned(&busy, false),
            Decision::Retry {
                reason: "rate limited (429)",
                after: Some(Duration::from_millis(120))
            }
        );
    }

    #[test]
    fn ambiguous_outcomes_depend_on_idempotency() {
        for outcome in [
            answer(500, &[], ""),
            answer(502, &[], "<html>"),
            answer(408, &[], ""),
            answer(409, &[], ""),
            err(AttemptTimeoutError(Duration::from_secs(1))),
            err(TransportError::after_send("reset")),
        ] {
            assert!(matches!(
                classify_owned(&outcome, true),
                Decision::Retry { .. }
            ));
            assert_eq!(
                classify_owned(&outcome, false),
                Decision::Forbidden("outcome unknown and the operation is not idempotent")
            );
        }
    }

    #[test]
    fn everything_else_is_not_retried() {
        for outcome in [
            answer(400, &[], ""),
            answer(404, &[], ""),
            err("some layer failed"),
        ] {
            assert_eq!(classify_owned(&outcome, true), Decision::NoOpinion);
        }
    }
}
