//! Fixtures shared by the benchmarks: canned bodies and a canned transport; the rounds and
//! the server thread of the loopback and TLS benchmarks.
#![allow(dead_code)]

pub mod calls;
pub mod rounds;
pub mod server;

use bytes::Bytes;
use openai_invites::{
    Invite, InviteListResponse, InviteProject, InviteRole, InviteStatus, ProjectRole,
};

/// One invite, as the service sends it.
pub fn invite(n: usize) -> Invite {
    Invite {
        id: format!("invite-{n:024}"),
        email: format!("user{n}@example.com"),
        role: InviteRole::Reader,
        status: InviteStatus::Pending,
        created_at: 1_711_471_533,
        expires_at: Some(1_712_076_333),
        accepted_at: None,
        projects: vec![InviteProject::new("proj_default", ProjectRole::Member)],
    }
}

/// A retrieve body.
pub fn invite_body() -> Bytes {
    Bytes::from(serde_json::to_vec(&invite(1)).unwrap_or_default())
}

/// A full page of 100 invites.
pub fn page_body(n: usize) -> Bytes {
    let page = InviteListResponse {
        data: (0..n).map(invite).collect(),
        first_id: Some(invite(0).id),
        last_id: Some(invite(n.saturating_sub(1)).id),
        has_more: true,
    };
    Bytes::from(serde_json::to_vec(&page).unwrap_or_default())
}

/// A 200 response with the headers the real service sends.
pub fn ok_response(body: &Bytes) -> http::Response<Bytes> {
    let mut response = http::Response::new(body.clone());
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        "x-request-id",
        http::HeaderValue::from_static("req_deaa3616cbd15d33b4db96b3ba74d2b4"),
    );
    headers.insert("openai-processing-ms", http::HeaderValue::from_static("12"));
    response
}
