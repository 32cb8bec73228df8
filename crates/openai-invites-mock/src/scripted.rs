//! What a scripted fault answers with: its status, headers and body, or a broken body.

use bytes::Bytes;
use http::StatusCode;

use crate::envelope;
use crate::fault::{Action, Fault};

/// The cut invite a truncated answer sends when there is no real answer to cut.
const SAMPLE_INVITE: &str = r#"{"object":"organization.invite","id":"invite-truncated","email":"user@example.com","role":"reader","status":"pending","created_at":1711471533,"expires_at":1712076333,"accepted_at":null,"projects":[]}"#;
/// A body that looks like JSON from afar and is not.
const MALFORMED: &str = r#"{"object": "organization.invite", "id": invite-malformed, "email": }"#;

/// The body and status a fault answers with.
pub(crate) fn scripted(
    fault: &Fault,
    applied: Option<http::Response<Bytes>>,
) -> http::Response<Bytes> {
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
pub(crate) fn with_fault_headers(
    mut response: http::Response<Bytes>,
    fault: &Fault,
) -> http::Response<Bytes> {
    for (name, _) in &fault.headers {
        response.headers_mut().remove(name);
    }
    for (name, value) in &fault.headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

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
