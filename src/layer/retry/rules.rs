//! The rules that weigh a failed attempt, in priority order: the first that has an opinion
//! wins. What an outcome *is* (not sent, rate limited, ambiguous...) is decided once, by the
//! classification ([`failure`](crate::failure)); these only weigh it.
//!
//! | # | rule | outcome | verdict |
//! |---|---|---|---|
//! | 1 | [`never_sent`] | connect refused, DNS, a proxy that refused the tunnel | retry, any operation |
//! | 2 | [`service_verdict`] | `x-should-retry: true` / `false` | retry / give up |
//! | 3 | [`out_of_quota`] | 429 with `insufficient_quota` | give up |
//! | 4 | [`rate_limited`] | 429 | retry, any operation |
//! | 5 | [`ambiguous`] | 408, 409, 5xx, a timeout, connection lost after sending, a layer's error | retry only if a repeat is safe |
//! | 6 | (none) | anything else (another 4xx, a rejected certificate, the limiter's refusal) | no retry |

use std::time::Duration;

use super::Reason;
use crate::failure::{Failure, ResponseFacts};

/// A failed attempt as the rules see it: a non-2xx answer, or an error.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failed<'a> {
    /// The service answered with a non-2xx status.
    Answered(&'a ResponseFacts),
    /// An error: the transport, a timeout or a layer failed, or an answer over the size cap,
    /// in this way.
    Error(Failure),
}

impl Failed<'_> {
    pub(crate) fn failure(self) -> Failure {
        match self {
            Self::Answered(facts) => facts.failure,
            Self::Error(failure) => failure,
        }
    }

    /// The service's `retry-after-ms` / `retry-after`, if it answered with one.
    pub(crate) fn hint(self) -> Option<Duration> {
        match self {
            Self::Answered(facts) => facts.retry_after,
            Self::Error(_) => None,
        }
    }
}

/// A rule's verdict: `Ok(why)` retry, `Err(why)` do not; `None`, no opinion.
pub(crate) type Verdict = Option<Result<Reason, Reason>>;

/// 1. Nothing reached the service: retrying is safe for every operation.
pub(crate) fn never_sent(failed: Failed<'_>) -> Verdict {
    (failed.failure() == Failure::NotSent).then_some(Ok("not sent: connection failed"))
}

/// 2. `x-should-retry` is the service's own verdict and wins over the status.
pub(crate) fn service_verdict(failed: Failed<'_>) -> Verdict {
    let Failed::Answered(facts) = failed else {
        return None;
    };
    match facts.should_retry? {
        true => Some(Ok("the service asked for a retry (x-should-retry: true)")),
        false => Some(Err("the service said not to retry (x-should-retry: false)")),
    }
}

/// 3. Out of quota will not pass by waiting.
pub(crate) fn out_of_quota(failed: Failed<'_>) -> Verdict {
    (failed.failure() == Failure::OutOfQuota).then_some(Err("out of quota (insufficient_quota)"))
}

/// 4. A 429 means the service refused before acting: safe to retry any operation.
pub(crate) fn rate_limited(failed: Failed<'_>) -> Verdict {
    (failed.failure() == Failure::RateLimited).then_some(Ok("rate limited (429)"))
}

/// 5. The service may have acted: only a request that is safe to repeat is sent again.
pub(crate) fn ambiguous(failed: Failed<'_>, repeat_is_safe: bool) -> Verdict {
    match failed.failure() {
        Failure::Ambiguous(reason) if repeat_is_safe => Some(Ok(reason)),
        Failure::Ambiguous(_) => Some(Err("outcome unknown and the operation is not idempotent")),
        _ => None,
    }
}

/// The rules in order: the first verdict.
pub(crate) fn weigh(failed: Failed<'_>, repeat_is_safe: bool) -> Verdict {
    never_sent(failed)
        .or_else(|| service_verdict(failed))
        .or_else(|| out_of_quota(failed))
        .or_else(|| rate_limited(failed))
        .or_else(|| ambiguous(failed, repeat_is_safe))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::BoxError;
    use crate::layer::AttemptTimeoutError;
    use crate::layer::classify::classify;
    use crate::transport::TransportError;

    fn answer(status: u16, headers: &[(&'static str, &'static str)], body: &'static str) -> Owned {
        let mut builder = http::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let mut response = builder.body(Bytes::from_static(body.as_bytes())).unwrap();
        Owned::Facts(ResponseFacts::of(&mut response).unwrap().clone())
    }

    fn err(e: impl Into<BoxError>) -> Owned {
        Owned::Error(classify(e.into().as_ref()).failure)
    }

    /// A failed attempt the tests own.
    enum Owned {
        Facts(ResponseFacts),
        Error(Failure),
    }

    fn weigh_owned(attempt: &Owned, safe: bool) -> Verdict {
        match attempt {
            Owned::Facts(f) => weigh(Failed::Answered(f), safe),
            Owned::Error(e) => weigh(Failed::Error(*e), safe),
        }
    }

    #[test]
    fn never_sent_is_retried_even_when_not_idempotent() {
        let outcome = err(TransportError::connect("refused"));
        let verdict = weigh_owned(&outcome, false);
        assert_eq!(verdict, Some(Ok("not sent: connection failed")));
    }

    #[test]
    fn the_service_verdict_wins() {
        let no = answer(500, &[("x-should-retry", "false")], "");
        assert!(matches!(weigh_owned(&no, true), Some(Err(_))));
        let yes = answer(400, &[("x-should-retry", "true")], "");
        assert!(matches!(weigh_owned(&yes, false), Some(Ok(_))));
    }

    #[test]
    fn quota_429_is_not_retried_other_429s_are_with_their_hint() {
        let quota = answer(
            429,
            &[],
            r#"{"error":{"message":"m","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
        );
        assert!(matches!(weigh_owned(&quota, true), Some(Err(_))));
        let busy = answer(
            429,
            &[("retry-after-ms", "120")],
            r#"{"error":{"message":"m","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
        );
        assert_eq!(weigh_owned(&busy, false), Some(Ok("rate limited (429)")));
        let Owned::Facts(facts) = &busy else {
            unreachable!()
        };
        let hint = Failed::Answered(facts).hint();
        assert_eq!(hint, Some(Duration::from_millis(120)));
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
            err("a layer of yours failed"),
        ] {
            assert!(matches!(weigh_owned(&outcome, true), Some(Ok(_))));
            assert_eq!(
                weigh_owned(&outcome, false),
                Some(Err("outcome unknown and the operation is not idempotent"))
            );
        }
    }

    #[test]
    fn everything_else_is_not_retried() {
        for outcome in [
            answer(400, &[], ""),
            answer(404, &[], ""),
            err(TransportError::certificate("expired")),
        ] {
            assert_eq!(weigh_owned(&outcome, true), None);
        }
    }
}
