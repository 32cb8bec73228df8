//! The path every request takes on both faces: log it, pick a fault, answer, stamp headers.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use openai_invites_core::headers;
use tokio::time::Instant;

use crate::auth;
use crate::envelope;
use crate::fake::{Inner, lock};
use crate::fault::{Action, Fault};
use crate::log::RecordedRequest;
use crate::routes::Route;

/// A request as both faces hand it over.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) method: http::Method,
    pub(crate) uri: http::Uri,
    pub(crate) headers: HeaderMap,
    /// `None` when the body was over the size cap.
    pub(crate) body: Option<Bytes>,
}

/// What a face should do with a request once the fake has taken it in.
#[derive(Debug)]
pub(crate) enum Disposition {
    /// Send this response.
    Respond(http::Response<Bytes>),
    /// Close the connection without answering.
    HangUp,
}

/// The cut invite a truncated answer sends when there is no real answer to cut.
const SAMPLE_INVITE: &str = r#"{"object":"organization.invite","id":"invite-truncated","email":"user@example.com","role":"reader","status":"pending","created_at":1711471533,"expires_at":1712076333,"accepted_at":null,"projects":[]}"#;
/// A body that looks like JSON from afar and is not.
const MALFORMED: &str = r#"{"object": "organization.invite", "id": invite-malformed, "email": }"#;

/// Handles one request end to end.
pub(crate) async fn receive(inner: Arc<Inner>, request: Received) -> Disposition {
    let started = Instant::now();
    let route = Route::classify(&request.method, request.uri.path());
    let fault = lock(&inner.faults).take(&request.method, request.uri.path(), &route);
    lock(&inner.log).record(RecordedRequest {
        method: request.method.clone(),
        path: request.uri.path().to_owned(),
        query: request.uri.query().map(str::to_owned),
        headers: auth::redact(&request.headers),
        body: request.body.clone().unwrap_or_default(),
        at: started,
        fault: fault.as_ref().map(ToString::to_string),
        operation: route.operation(),
    });
    let Some(fault) = fault else {
        return Disposition::Respond(stamp(inner.answer(&request, &route), started));
    };
    let applied = fault.apply_first.then(|| inner.answer(&request, &route));
    if let Some(delay) = fault.delay {
        tokio::time::sleep(delay).await;
    }
    let response = match &fault.action {
        Action::Drop => return Disposition::HangUp,
        Action::Normal => applied.unwrap_or_else(|| inner.answer(&request, &route)),
        _ => scripted(&fault, applied),
    };
    Disposition::Respond(stamp(with_fault_headers(response, &fault), started))
}

/// The body and status a fault answers with.
fn scripted(fault: &Fault, applied: Option<http::Response<Bytes>>) -> http::Response<Bytes> {
    let (status, body) = match &fault.action {
        Action::Status(status) => {
            let body = fault.body.clone().unwrap_or_else(|| {
                Bytes::from(serde_json::to_vec(&envelope::for_status(*status)).unwrap_or_default())
            });
            (*status, body)
        }
        Action::Truncated => {
            let full = applied.map_or(Bytes::from_static(SAMPLE_INVITE.as_bytes()), |r| {
                r.into_body()
            });
            (StatusCode::OK, full.slice(..full.len() / 2))
        }
        Action::Malformed => (StatusCode::OK, Bytes::from_static(MALFORMED.as_bytes())),
        Action::Oversized(size) => (StatusCode::OK, oversized(*size)),
        Action::Normal | Action::Drop => (StatusCode::INTERNAL_SERVER_ERROR, Bytes::new()),
    };
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    response
}

/// A valid list body padded to at least `size` bytes.
fn oversized(size: usize) -> Bytes {
    const HEAD: &str =
        r#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false,"padding":""#;
    const TAIL: &str = "\"}";
    let padding = size.saturating_sub(HEAD.len() + TAIL.len());
    let mut body = String::with_capacity(HEAD.len() + padding + TAIL.len());
    body.push_str(HEAD);
    body.extend(std::iter::repeat_n('x', padding));
    body.push_str(TAIL);
    Bytes::from(body)
}

/// A fault's headers replace the fake's own of the same name.
fn with_fault_headers(mut response: http::Response<Bytes>, fault: &Fault) -> http::Response<Bytes> {
    for (name, _) in &fault.headers {
        response.headers_mut().remove(name);
    }
    for (name, value) in &fault.headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

/// The headers every answer carries: `content-type`, `x-request-id`, `openai-processing-ms`.
fn stamp(mut response: http::Response<Bytes>, started: Instant) -> http::Response<Bytes> {
    let h = response.headers_mut();
    if !h.contains_key(header::CONTENT_TYPE) {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if !h.contains_key(headers::REQUEST_ID) {
        if let Ok(id) = HeaderValue::from_str(&request_id()) {
            h.insert(headers::REQUEST_ID, id);
        }
    }
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    h.insert("openai-processing-ms", HeaderValue::from(ms));
    response
}

/// `req_` and 32 lowercase hex digits, like the real ids.
fn request_id() -> String {
    format!("req_{:032x}", fastrand::u128(..))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_real() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert!(
            id[4..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn oversized_bodies_are_valid_json_of_the_size() {
        for size in [0, 10, 1000, 100_000] {
            let body = oversized(size);
            assert!(body.len() >= size);
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["object"], "list");
        }
        assert!(serde_json::from_str::<serde_json::Value>(MALFORMED).is_err());
        assert!(serde_json::from_str::<serde_json::Value>(SAMPLE_INVITE).is_ok());
    }
}
