//! Errors of encoding a request and of reading a response.

use std::fmt;

use bytes::Bytes;
use http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};

use crate::headers;

/// At most this many bytes of a non-JSON error body, or of a body that failed to decode, are
/// kept (proxies answer 5xx with whole HTML pages).
pub const MAX_BODY_SNIPPET: usize = 4 * 1024;

/// The error code of a create refused because the email already has a pending invite (409).
pub const INVITE_ALREADY_EXISTS: &str = "invite_already_exists";

/// The request could not be built; nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A field has a value the API would refuse.
    #[error("invalid `{field}`: {reason}")]
    InvalidField {
        /// The field, as named on the wire.
        field: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// The body could not be serialised (the cause is the error's `source()`).
    #[error("could not serialise the request body")]
    Body(#[from] serde_json::Error),
    /// The HTTP request could not be assembled, e.g. an invalid URI (the cause is the error's
    /// `source()`).
    #[error("could not assemble the HTTP request")]
    Http(#[from] http::Error),
}

impl EncodeError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field,
            reason: reason.into(),
        }
    }
}

/// The response was not the success the operation expects.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The service answered with a non-2xx status (boxed: the `Ok` path stays small).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The service answered 2xx but the body is not what the operation returns.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl From<ApiError> for ResponseError {
    fn from(error: ApiError) -> Self {
        Self::Api(Box::new(error))
    }
}

impl ResponseError {
    /// The `x-request-id` of the response, for support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            Self::Decode(e) => e.request_id.as_deref(),
        }
    }

    /// The response's status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Api(e) => e.status,
            Self::Decode(e) => e.status,
        }
    }
}

/// The OpenAI error object: `{"error": {"message", "type", "param", "code"}}`'s inner part.
///
/// Read leniently: a missing field is empty, a numeric `code` becomes its text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Human-readable message.
    #[serde(default, deserialize_with = "lenient_string_or_empty")]
    pub message: String,
    /// Error type, e.g. `invalid_request_error`, `insufficient_quota`.
    #[serde(rename = "type", default, deserialize_with = "lenient_string_or_empty")]
    pub kind: String,
    /// The request parameter the error is about, if any.
    #[serde(default, deserialize_with = "lenient_string")]
    pub param: Option<String>,
    /// A machine-readable code, e.g. `invalid_api_key`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub code: Option<String>,
}

/// The whole error body as the service sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// The error itself.
    pub error: ErrorBody,
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

fn lenient_string_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient_string(d)?.unwrap_or_default())
}

/// A non-2xx answer from the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The OpenAI error object, when the body is an error envelope.
    pub error: Option<ErrorBody>,
    /// The body as text (lossy UTF-8, at most [`MAX_BODY_SNIPPET`] bytes) when it is not an
    /// envelope, e.g. an HTML page from a proxy.
    pub body: Option<String>,
    /// The `x-request-id` header, for support.
    pub request_id: Option<String>,
}

impl ApiError {
    /// Reads status, envelope or bounded body, and request id from a response.
    pub fn from_response(response: &http::Response<Bytes>) -> Self {
        let body = response.body();
        let error = serde_json::from_slice::<ErrorEnvelope>(body)
            .ok()
            .map(|e| e.error);
        let body = match error {
            None if !body.is_empty() => Some(snippet(body)),
            _ => None,
        };
        Self {
            status: response.status(),
            error,
            body,
            request_id: headers::request_id(response.headers()).map(str::to_owned),
        }
    }

    /// The error `type`, if the body was an envelope.
    pub fn kind(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.kind.as_str())
    }

    /// The error `code`, if any.
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().and_then(|e| e.code.as_deref())
    }

    /// The service refused a create because the email already has a pending invite (code
    /// [`INVITE_ALREADY_EXISTS`]).
    pub fn is_invite_already_exists(&self) -> bool {
        self.code() == Some(INVITE_ALREADY_EXISTS)
    }

    /// Out of quota (`insufficient_quota` as type or code): waiting will not help.
    pub fn is_insufficient_quota(&self) -> bool {
        let quota = Some("insufficient_quota");
        self.kind() == quota || self.code() == quota
    }

    /// The error message, if the body was an envelope.
    pub fn message(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.message.as_str())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the service answered {}", self.status)?;
        if let Some(e) = &self.error {
            write!(f, " ({}", e.kind)?;
            if let Some(code) = &e.code {
                write!(f, ", code {code}")?;
            }
            if let Some(param) = &e.param {
                write!(f, ", param {param}")?;
            }
            write!(f, "): {}", e.message)?;
        } else if let Some(body) = &self.body {
            let first: String = body.chars().take(120).collect();
            write!(f, ": {}", first.trim())?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx body that is not what the operation returns.
///
/// `Display` names the status and quotes the start of the body; what serde said is the
/// error's `source()`, and the request id is a field (an error that wraps this one prints it
/// once).
#[derive(Debug, thiserror::Error)]
#[error(
    "the {status} response body is not what the operation returns (it starts with `{}`)",
    quote(snippet)
)]
pub struct DecodeError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `x-request-id` header, for support.
    pub request_id: Option<String>,
    /// At most [`MAX_BODY_SNIPPET`] bytes of the body, as lossy UTF-8.
    pub snippet: String,
    /// What serde said.
    #[source]
    pub source: serde_json::Error,
}

/// At most 120 characters of `snippet`, on one line.
fn quote(snippet: &str) -> String {
    let mut quoted: String = snippet
        .chars()
        .take(120)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if snippet.chars().nth(120).is_some() {
        quoted.push('…');
    }
    quoted
}

/// Lossy UTF-8 of at most [`MAX_BODY_SNIPPET`] bytes, never splitting a character.
pub(crate) fn snippet(body: &[u8]) -> String {
    let mut end = body.len().min(MAX_BODY_SNIPPET);
    // Step back to a UTF-8 boundary: a continuation byte is 0b10xx_xxxx.
    while end > 0 && end < body.len() && (body[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    String::from_utf8_lossy(&body[..end]).into_owned()
}

/// Decodes a 2xx JSON body into `T`, anything else into [`ApiError`].
pub fn decode_json<T: serde::de::DeserializeOwned>(
    response: http::Response<Bytes>,
) -> Result<T, ResponseError> {
    if !response.status().is_success() {
        return Err(ApiError::from_response(&response).into());
    }
    serde_json::from_slice(response.body()).map_err(|source| {
        DecodeError {
            status: response.status(),
            request_id: headers::request_id(response.headers()).map(str::to_owned),
            snippet: snippet(response.body()),
            source,
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &'static [u8]) -> http::Response<Bytes> {
        http::Response::builder()
            .status(status)
            .header("x-request-id", "req_123")
            .body(Bytes::from_static(body))
            .unwrap()
    }

    #[test]
    fn envelope_is_parsed() {
        let e = ApiError::from_response(&response(
            404,
            br#"{"error":{"message":"No such invite","type":"invalid_request_error","param":"invite_id","code":"not_found"}}"#,
        ));
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        assert_eq!(e.kind(), Some("invalid_request_error"));
        assert_eq!(e.code(), Some("not_found"));
        assert_eq!(e.request_id.as_deref(), Some("req_123"));
        assert_eq!(e.body, None);
        let text = e.to_string();
        assert!(
            text.contains("404") && text.contains("No such invite") && text.contains("req_123"),
            "{text}"
        );
    }

    #[test]
    fn envelope_with_nulls_and_numeric_code() {
        let e = ApiError::from_response(&response(
            400,
            br#"{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":400}}"#,
        ));
        let body = e.error.unwrap();
        assert_eq!(body.param, None);
        assert_eq!(body.code.as_deref(), Some("400"));
    }

    #[test]
    fn html_and_empty_bodies() {
        let html =
            ApiError::from_response(&response(502, b"<html><body>Bad gateway</body></html>"));
        assert_eq!(html.error, None);
        assert_eq!(
            html.body.as_deref(),
            Some("<html><body>Bad gateway</body></html>")
        );
        let empty = ApiError::from_response(&response(500, b""));
        assert_eq!((empty.error, empty.body), (None, None));
    }

    #[test]
    fn oversized_body_is_truncated_on_a_char_boundary() {
        let big = "é".repeat(MAX_BODY_SNIPPET);
        let r = http::Response::builder()
            .status(503)
            .body(Bytes::from(big))
            .unwrap();
        let e = ApiError::from_response(&r);
        let body = e.body.unwrap();
        assert!(body.len() <= MAX_BODY_SNIPPET);
        assert!(body.chars().all(|c| c == 'é'));
        assert_eq!(e.request_id, None);
    }

    #[test]
    fn success_body_that_does_not_decode() {
        let err = decode_json::<crate::Invite>(response(200, b"{\"id\": 3")).unwrap_err();
        let ResponseError::Decode(d) = err else {
            panic!("expected a decode error")
        };
        assert_eq!(d.request_id.as_deref(), Some("req_123"));
        assert_eq!(d.snippet, "{\"id\": 3");
        let text = d.to_string();
        assert!(
            text.contains("200 OK") && text.contains("{\"id\": 3"),
            "{text}"
        );
        // What serde said is the source, not repeated in the message.
        let source = std::error::Error::source(&d).unwrap().to_string();
        assert!(!text.contains(&source), "{text} / {source}");
    }
}
