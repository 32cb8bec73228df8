//! The control API: drive the fake over HTTP from any language (seed invites, script faults,
//! read the request log, set a quota, reset). This page is its one full description; the
//! binary's `--help` and `GET /__fake/` point here.
//!
//! Every loopback server (and the in-process service) answers under [`CONTROL_PREFIX`]
//! (`/__fake/`), which the real API (under `/v1`) can never reach. Control requests need no
//! admin key, meet no fault and are not logged. By default anyone who can reach the fake may
//! use it, which is right for loopback; a fake shared by several people gets a token
//! ([`FakeInvitesBuilder::control_token`](crate::FakeInvitesBuilder::control_token),
//! `--control-token`) that every control request must carry in `x-fake-control-token`, and
//! serving anywhere but loopback requires one. Each route does what the [`FakeInvites`] method
//! of the same name does.
//!
//! Bodies and answers are JSON. A refusal is an error envelope with `type`
//! `fake_control_error` and a `code`: `invalid_json`, `invalid_value` (the field in `param`),
//! `duplicate_id`, `unknown_invite`, `control_token_required`, `invalid_control_token`.
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /__fake/` | | `{"routes": [...]}` |
//! | `GET /__fake/invites` | | `{"object": "list", "data": [Invite]}`, newest first |
//! | `POST /__fake/invites` | a [seed](crate::SeedInvite): `{"invites": [...]}`, an array, or one invite | the seeded invites; all or nothing (409 on a taken id) |
//! | `DELETE /__fake/invites` | | `{"deleted": n}` |
//! | `POST /__fake/invites/{id}/accept`, `.../expire` | | the invite (404 if unknown) |
//! | `GET /__fake/faults` | | the queued faults as JSON |
//! | `POST /__fake/faults` | a [fault](crate::Fault::from_json), or an array of them | `{"queued": n, "pending": m}`; all or nothing |
//! | `DELETE /__fake/faults` | | `{"cleared": n}` |
//! | `GET /__fake/requests` | | the log: `{"total", "kept", "bytes", "data": [{"method", "path", "query", "operation", "headers", "body", "json", "body_len", "body_truncated", "fault", "status", "at_ms"}]}` (`status`: what the fake answered, `null` for a dropped connection) |
//! | `DELETE /__fake/requests` | | `{"cleared": n}` |
//! | `GET`/`PUT`/`DELETE /__fake/quota` | `PUT`: `{"requests": 5, "per": "1s"}` | `{"quota": {"requests", "per", "text"}}` or `{"quota": null}` |
//! | `POST /__fake/reset` | | back to the seed and quota it started with: no faults, an empty log |
//!
//! ```sh
//! FAKE=http://127.0.0.1:8080
//! curl -X POST $FAKE/__fake/invites -d '{"invites": [
//!   {"id": "invite-ana", "email": "ana@example.com", "role": "owner",
//!    "projects": [{"id": "proj_a", "role": "member"}], "created_at": 1700000000},
//!   {"id": "invite-bo", "email": "bo@example.com", "status": "accepted"}]}'
//! curl -X POST $FAKE/__fake/invites/invite-ana/expire
//! curl -X POST $FAKE/__fake/faults -d '{"status": 503, "times": 2, "operation": "listInvites",
//!   "headers": {"retry-after": "1"}}'
//! curl -X POST $FAKE/__fake/faults -d '{"kind": "drop_connection", "apply_first": true,
//!   "operation": "inviteUser", "delay_ms": 100}'
//! curl $FAKE/__fake/requests          # authorization shows as "Bearer sk-a...[redacted]"
//! curl -X PUT $FAKE/__fake/quota -d '{"requests": 5, "per": "1s"}'
//! curl -X POST $FAKE/__fake/reset
//! ```
//!
//! `tests/python/drive_the_fake.py` in this crate does all of that from Python (standard
//! library only); CI runs it.

mod log_json;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::control_error::ControlError;
use crate::seed::Seed;

use crate::auth::CONTROL_TOKEN_HEADER;
use crate::envelope::{Failure, json_response};
use crate::fake::{FakeInvites, Inner};
use crate::fault::Fault;
use crate::quota::{self, RequestQuota};
use crate::received::Received;

/// Every control route starts with this; the real API lives under `/v1`, so they never meet.
pub const CONTROL_PREFIX: &str = "/__fake";

/// The largest control request body (a seed of thousands of invites): 16 MiB.
pub(crate) const MAX_CONTROL_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The error `type` of control refusals.
const CONTROL_ERROR: &str = "fake_control_error";

/// The routes, for `GET /__fake/`.
const ROUTES: [&str; 14] = [
    "GET /__fake/invites",
    "POST /__fake/invites",
    "DELETE /__fake/invites",
    "POST /__fake/invites/{invite_id}/accept",
    "POST /__fake/invites/{invite_id}/expire",
    "GET /__fake/faults",
    "POST /__fake/faults",
    "DELETE /__fake/faults",
    "GET /__fake/requests",
    "DELETE /__fake/requests",
    "GET /__fake/quota",
    "PUT /__fake/quota",
    "DELETE /__fake/quota",
    "POST /__fake/reset",
];

type Answer = Result<Value, Failure>;

/// Whether `path` belongs to the control API.
pub(crate) fn owns(path: &str) -> bool {
    path.strip_prefix(CONTROL_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answers a control request (the reception adds the common headers).
pub(crate) fn answer(fake: &FakeInvites, request: &Received) -> http::Response<Bytes> {
    if let Err(failure) = check_token(&fake.inner, &request.headers) {
        return failure.into_response();
    }
    let path = request.uri.path();
    let rest = path.strip_prefix(CONTROL_PREFIX).unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match route(fake, &request.method, &segments, request.body.as_ref()) {
        Ok(value) => json_response(StatusCode::OK, &value, HeaderMap::new()),
        Err(failure) => failure.into_response(),
    }
}

/// Each route does what the handle's method of the same name does, so Rust and HTTP drive the
/// fake alike.
fn route(fake: &FakeInvites, method: &Method, segments: &[&str], body: Option<&Bytes>) -> Answer {
    let allowed = match segments {
        [] => "GET",
        ["invites"] | ["faults"] => "GET, POST, DELETE",
        ["invites", _, "accept" | "expire"] | ["reset"] => "POST",
        ["requests"] => "GET, DELETE",
        ["quota"] => "GET, PUT, DELETE",
        _ => {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                CONTROL_ERROR,
                format!(
                    "No control route {method} {CONTROL_PREFIX}/{}; GET {CONTROL_PREFIX}/ lists them.",
                    segments.join("/")
                ),
            ));
        }
    };
    let body = || -> Result<Value, Failure> {
        let bytes = body.ok_or_else(|| {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                CONTROL_ERROR,
                format!("A control body is at most {MAX_CONTROL_BODY_BYTES} bytes."),
            )
        })?;
        serde_json::from_slice(bytes).map_err(|e| refusal(ControlError::json(&e)))
    };
    match (method.as_str(), segments) {
        ("GET", []) => Ok(json!({ "routes": ROUTES })),
        ("GET", ["invites"]) => Ok(json!({"object": "list", "data": fake.invites()})),
        ("POST", ["invites"]) => {
            let seed = Seed::from_value(body()?).map_err(refusal)?;
            let seeded = fake.seed_invites(&seed).map_err(refusal)?;
            Ok(json!({"object": "list", "data": seeded}))
        }
        ("DELETE", ["invites"]) => Ok(json!({ "deleted": fake.clear() })),
        ("POST", ["invites", id, change]) => {
            let id = percent_decode_str(id).decode_utf8_lossy();
            let changed = match *change {
                "accept" => fake.accept(&id),
                _ => fake.expire(&id),
            };
            match fake.get(&id).filter(|_| changed) {
                Some(invite) => Ok(json!(invite)),
                None => Err(refusal(ControlError::UnknownInvite(id.into_owned()))),
            }
        }
        ("GET", ["faults"]) => {
            let data: Vec<Value> = fake.queued_faults().iter().map(Fault::to_json).collect();
            Ok(json!({"object": "list", "data": data}))
        }
        ("POST", ["faults"]) => {
            let (items, one) = match body()? {
                Value::Array(items) => (items, false),
                item => (vec![item], true),
            };
            let faults = items
                .iter()
                .enumerate()
                .map(|(n, item)| {
                    let fault = Fault::from_json(item);
                    if one {
                        fault
                    } else {
                        fault.map_err(|e| e.within(&format!("[{n}]")))
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(refusal)?;
            let queued = faults.len();
            faults.into_iter().for_each(|f| fake.push_fault(f));
            Ok(json!({ "queued": queued, "pending": fake.pending_faults() }))
        }
        ("DELETE", ["faults"]) => Ok(json!({ "cleared": fake.clear_faults() })),
        ("GET", ["requests"]) => Ok(log_json::log(&fake.inner)),
        ("DELETE", ["requests"]) => Ok(json!({ "cleared": fake.clear_requests() })),
        ("GET", ["quota"]) => Ok(quota_json(fake)),
        ("PUT", ["quota"]) => {
            let quota =
                QuotaJson::deserialize(body()?).map_err(|e| refusal(ControlError::json(&e)))?;
            let per = RequestQuota::parse_period(&quota.per).map_err(refusal)?;
            fake.set_quota(RequestQuota::new(quota.requests, per));
            Ok(quota_json(fake))
        }
        ("DELETE", ["quota"]) => {
            fake.clear_quota();
            Ok(quota_json(fake))
        }
        ("POST", ["reset"]) => {
            fake.reset();
            Ok(json!({ "reset": true, "invites": fake.invites().len() }))
        }
        _ => Err(Failure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            CONTROL_ERROR,
            format!("Method {method} is not allowed here; allowed: {allowed}."),
        )
        .header(header::ALLOW, HeaderValue::from_static(allowed))),
    }
}

/// `PUT /__fake/quota`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaJson {
    requests: u32,
    per: String,
}

fn quota_json(fake: &FakeInvites) -> Value {
    json!({ "quota": fake.quota().map(|q| json!({
        "requests": q.requests,
        "per": quota::go_duration(q.per),
        "text": q.to_string(),
    })) })
}

/// A [`ControlError`] as the envelope the control API answers with.
fn refusal(error: ControlError) -> Failure {
    let (param, code) = match &error {
        ControlError::Json(_) => (None, "invalid_json"),
        ControlError::Invalid { field, .. } => (Some(field.clone()), "invalid_value"),
        ControlError::DuplicateId(_) => (Some("id".to_owned()), "duplicate_id"),
        ControlError::UnknownInvite(_) => (Some("invite_id".to_owned()), "unknown_invite"),
        ControlError::Read { .. } => (None, "unreadable"),
    };
    let failure = Failure::new(error.status(), CONTROL_ERROR, error.to_string()).code(code);
    match param {
        Some(param) => failure.param(param),
        None => failure,
    }
}

/// With a control token configured, every control request must carry it.
pub(crate) fn check_token(inner: &Inner, headers: &HeaderMap) -> Result<(), Failure> {
    let Some(expected) = &inner.control_token else {
        return Ok(());
    };
    let unauthorized = |message: &str, code: &str| {
        Failure::new(StatusCode::UNAUTHORIZED, CONTROL_ERROR, message).code(code)
    };
    match headers.get(CONTROL_TOKEN_HEADER) {
        None => Err(unauthorized(
            "This fake's control API needs its token in the x-fake-control-token header.",
            "control_token_required",
        )),
        Some(sent) if same(sent.as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(unauthorized(
            "Incorrect control token.",
            "invalid_control_token",
        )),
    }
}

/// Compares without stopping at the first difference, so timing tells nothing about the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_owns_only_its_own_paths() {
        assert!(owns("/__fake"));
        assert!(owns("/__fake/"));
        assert!(owns("/__fake/invites"));
        assert!(!owns("/__fakes"));
        assert!(!owns("/v1/__fake/invites"));
        assert!(!owns("/v1/organization/invites"));
    }

    #[test]
    fn token_comparison() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
