//! `ResponseFacts`: what an error answer says, read once per response.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::StatusCode;
use openai_invites_core::{ApiError, headers};

use super::Failure;

impl Failure {
    /// The class of a non-2xx status; `api` is the parsed body, read only for a 429.
    pub(crate) fn of_status(status: StatusCode, api: &ApiError) -> Self {
        match status {
            StatusCode::TOO_MANY_REQUESTS if api.is_insufficient_quota() => Self::OutOfQuota,
            status => Self::of_unread_status(status),
        }
    }

    /// The class of a non-2xx status whose body was not read (over the size cap).
    pub(crate) fn of_unread_status(status: StatusCode) -> Self {
        match status {
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited,
            StatusCode::REQUEST_TIMEOUT => Self::Ambiguous("request timeout (408)"),
            StatusCode::CONFLICT => Self::Ambiguous("conflict (409)"),
            s if s.is_server_error() => Self::Ambiguous("server error (5xx)"),
            _ => Self::Definite,
        }
    }
}

/// Whether a service answering `status` (408, 502, 503, 504: what a gateway or a timeout
/// answers for the origin behind it) may still be at work on the request.
pub(crate) fn may_still_be_at_work(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::REQUEST_TIMEOUT
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
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
}
