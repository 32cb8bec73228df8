//! The OpenAI error envelope the fake answers with, one constructor per failure it knows.
//!
//! Messages follow the real service's wording where it is public (the 401s, "Invalid URL",
//! the JSON parse error); the rest are our own. Types and codes are listed in the crate docs.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use openai_invites_core::{ErrorBody, ErrorEnvelope};

/// `type` of most client errors, as the real service uses it.
pub(crate) const INVALID_REQUEST: &str = "invalid_request_error";

/// A refusal: status, envelope fields and any extra headers (kept small: it is the `Err` of
/// every check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) body: Box<ErrorBody>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Failure {
    pub(crate) fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody {
                message: message.into(),
                kind: kind.to_owned(),
                param: None,
                code: None,
            }),
            headers: Vec::new(),
        }
    }

    pub(crate) fn param(mut self, param: impl Into<String>) -> Self {
        self.body.param = Some(param.into());
        self
    }

    pub(crate) fn code(mut self, code: &str) -> Self {
        self.body.code = Some(code.to_owned());
        self
    }

    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 400 naming the offending parameter.
    pub(crate) fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_REQUEST, message).param(param)
    }

    /// The envelope as a JSON response (reception adds the common headers).
    pub(crate) fn into_response(self) -> http::Response<Bytes> {
        let headers = self.headers.into_iter().collect();
        json_response(self.status, &ErrorEnvelope { error: *self.body }, headers)
    }
}

/// A JSON response with `content-type: application/json`.
pub(crate) fn json_response<T: serde::Serialize>(
    status: StatusCode,
    value: &T,
    headers: HeaderMap,
) -> http::Response<Bytes> {
    // Serialising our own models and envelopes cannot fail (no maps with non-string keys).
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = http::Response::new(Bytes::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// An envelope fitting `status`, for scripted faults that set no body.
pub(crate) fn for_status(status: StatusCode) -> ErrorEnvelope {
    let (kind, code) = match status.as_u16() {
        429 => ("requests", Some("rate_limit_exceeded")),
        401 => (INVALID_REQUEST, Some("invalid_api_key")),
        500..=599 => ("server_error", None),
        _ => (INVALID_REQUEST, None),
    };
    let reason = status.canonical_reason().unwrap_or("unknown status");
    ErrorEnvelope {
        error: ErrorBody {
            message: format!("Scripted fault: {} {reason}", status.as_u16()),
            kind: kind.to_owned(),
            param: None,
            code: code.map(str::to_owned),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn renders_all_four_fields_even_when_null() {
        let response = Failure::invalid("limit", "bad limit").into_response();
        assert_eq!(response.status(), 400);
        let v: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error": {"message": "bad limit", "type": "invalid_request_error",
                "param": "limit", "code": null}})
        );
        assert_eq!(response.headers()["content-type"], "application/json");
    }

    #[test]
    fn status_envelopes() {
        assert_eq!(
            for_status(StatusCode::SERVICE_UNAVAILABLE).error.kind,
            "server_error"
        );
        let limited = for_status(StatusCode::TOO_MANY_REQUESTS).error;
        assert_eq!(limited.code.as_deref(), Some("rate_limit_exceeded"));
    }
}
