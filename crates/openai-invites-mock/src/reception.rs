//! The path every request takes on both faces: log it, pick a fault, answer, stamp headers.

use std::borrow::Cow;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, header};
use openai_invites_core::headers;
use tokio::time::Instant;

use crate::answer::answer;
use crate::auth;
use crate::control;
use crate::fake::{FakeInvites, Inner, lock};
use crate::fault::{Action, Fault};
use crate::log::RecordedRequest;
use crate::received::Received;
use crate::routes::Route;
use crate::scripted::{scripted, with_fault_headers};

/// What a face should do with a request once the fake has taken it in.
#[derive(Debug)]
pub(crate) enum Disposition {
    /// Send this response.
    Respond(http::Response<Bytes>),
    /// Close the connection without answering.
    HangUp,
}

/// Whether the fake reads this request's body into memory: an API request with the admin key,
/// or a control request with the control token (any, when none is set). Any other body is
/// read and forgotten, so a stranger's garbage costs no memory.
pub(crate) fn keeps_body(inner: &Inner, path: &str, headers: &HeaderMap) -> bool {
    if control::owns(path) {
        control::check_token(inner, headers).is_ok()
    } else {
        auth::check(headers, &inner.admin_key).is_ok()
    }
}

/// Handles one request end to end: the control API apart, every request is logged, may meet
/// a fault, and gets the normal answer.
pub(crate) async fn receive(inner: Arc<Inner>, request: Received) -> Disposition {
    let started = Instant::now();
    if control::owns(request.uri.path()) {
        let fake = FakeInvites { inner };
        return Disposition::Respond(stamp(control::answer(&fake, &request), started));
    }
    let route = Route::classify(&request.method, request.uri.path());
    let fault = lock(&inner.faults).take(&request.method, request.uri.path(), &route);
    let number = record(&inner, &request, &route, fault.as_ref(), started);
    let respond = |response: http::Response<Bytes>| {
        lock(&inner.log).answered(number, response.status());
        Disposition::Respond(stamp(response, started))
    };
    let Some(fault) = fault else {
        return respond(normal_answer(&inner, &request, &route));
    };
    let applied = fault
        .apply_first
        .then(|| normal_answer(&inner, &request, &route));
    if let Some(delay) = fault.delay {
        tokio::time::sleep(delay).await;
    }
    let response = match &fault.action {
        Action::Drop => return Disposition::HangUp,
        Action::Normal => applied.unwrap_or_else(|| normal_answer(&inner, &request, &route)),
        _ => scripted(&fault, applied),
    };
    respond(with_fault_headers(response, &fault))
}

/// The well-behaved answer, with any secret the request echoed into it scrubbed. (A scripted
/// fault's body is sent as scripted: a test may want a server that echoes a key.)
fn normal_answer(inner: &Inner, request: &Received, route: &Route) -> http::Response<Bytes> {
    let response = answer(inner, request, route);
    // One search: a body with no secret comes back borrowed, and is sent as it is.
    let scrubbed = match inner.secrets.scrub_bytes(response.body()) {
        Cow::Borrowed(_) => None,
        Cow::Owned(scrubbed) => Some(Bytes::from(scrubbed)),
    };
    match scrubbed {
        Some(body) => response.map(|_| body),
        None => response,
    }
}

/// Logs the request: credentials and secrets redacted, and a body only for an authenticated
/// request, cut at the log's cap and copied (never a slice that would pin a large buffer).
/// Returns its number in the log, to note its status once answered.
fn record(
    inner: &Inner,
    request: &Received,
    route: &Route,
    fault: Option<&Fault>,
    at: Instant,
) -> usize {
    let authenticated = auth::check(&request.headers, &inner.admin_key).is_ok();
    let mut log = lock(&inner.log);
    let cap = log.limits().body_bytes;
    let sent = request.body.as_deref().unwrap_or_default();
    let kept = if authenticated {
        &sent[..sent.len().min(cap)]
    } else {
        &[]
    };
    let secrets = &inner.secrets;
    log.record(RecordedRequest {
        method: request.method.clone(),
        path: secrets.scrub(request.uri.path()).into_owned(),
        query: request.uri.query().map(|q| secrets.scrub(q).into_owned()),
        headers: auth::redact(&request.headers, secrets),
        body: Bytes::copy_from_slice(&secrets.scrub_bytes(kept)),
        body_len: request.body_len,
        body_truncated: kept.len() < request.body_len,
        at,
        fault: fault.map(ToString::to_string),
        operation: route.meta().map(|meta| meta.name),
        status: None,
    })
}

/// The headers every answer carries: `content-type`, `x-request-id`, `openai-processing-ms`.
pub(crate) fn stamp(
    mut response: http::Response<Bytes>,
    started: Instant,
) -> http::Response<Bytes> {
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
    fn only_a_request_with_its_credentials_keeps_its_body() {
        let headers = |pairs: &[(&str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(
                    http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_str(value).unwrap(),
                );
            }
            map
        };
        let shared = FakeInvites::builder().control_token("tok-123").build();
        let open = FakeInvites::new();
        let key = format!("Bearer {}", crate::fake::DEFAULT_ADMIN_KEY);
        let api = "/v1/organization/invites";
        let faults = "/__fake/faults";
        assert!(keeps_body(
            &shared.inner,
            api,
            &headers(&[("authorization", &key)])
        ));
        assert!(!keeps_body(&shared.inner, api, &headers(&[])));
        assert!(keeps_body(
            &shared.inner,
            faults,
            &headers(&[("x-fake-control-token", "tok-123")])
        ));
        assert!(!keeps_body(&shared.inner, faults, &headers(&[])));
        assert!(!keeps_body(
            &shared.inner,
            faults,
            &headers(&[("x-fake-control-token", "wrong")])
        ));
        // The admin key is not the control token.
        assert!(!keeps_body(
            &shared.inner,
            faults,
            &headers(&[("authorization", &key)])
        ));
        assert!(keeps_body(&open.inner, faults, &headers(&[])));
    }

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
}
