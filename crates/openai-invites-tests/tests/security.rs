//! The key never leaks; clear text is refused; oversized bodies are errors; hostile ids stay
//! one path segment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use openai_invites::{BuildError, Client, ErrorKind, InviteRequest, InviteRole, ListInvites};
use openai_invites_mock::{FakeInvites, FakeServer, Fault};

const KEY: &str = "sk-admin-SUPERSECRET-0123456789";

fn fake_with_key() -> FakeInvites {
    FakeInvites::builder().admin_key(KEY).build()
}

#[tokio::test]
async fn the_key_appears_in_no_debug_display_or_trace_output() {
    let fake = fake_with_key();
    let builder = Client::builder().admin_key(KEY).transport(fake.service());
    assert!(!format!("{builder:?}").contains("SUPERSECRET"));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains("SUPERSECRET"));

    let (recorder, _guard) = support::recorder::record();
    let invite = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap();
    client
        .list_invites(ListInvites::new().limit(1))
        .await
        .unwrap();
    client.retrieve_invite(&invite.id).await.unwrap();
    client.delete_invite(&invite.id).await.unwrap();
    let err = client.retrieve_invite(&invite.id).await.unwrap_err();
    // Every request dropped (the reconciliation's read too): the call fails.
    fake.push_fault(Fault::drop_connection().times(100));
    let dropped = client
        .invite_user(InviteRequest::new("bo@example.com", InviteRole::Reader))
        .await
        .unwrap_err();

    assert!(!recorder.spans().is_empty(), "the recorder saw the calls");
    for text in [
        recorder.dump(),
        format!("{err:?}"),
        err.to_string(),
        format!("{dropped:?}"),
        dropped.to_string(),
    ] {
        assert!(!text.contains("SUPERSECRET"), "leaked in: {text}");
    }
    // The fake's log redacts it too.
    for request in fake.requests() {
        assert!(!format!("{:?}", request.headers).contains("SUPERSECRET"));
    }
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let err = Client::builder()
        .admin_key(KEY)
        .base_url("http://api.example.com/v1")
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::InsecureHttp { .. }), "{err}");
    assert!(err.to_string().contains("clear text"));
    // Loopback, or an explicit opt-in, is allowed.
    for url in [
        "http://127.0.0.1:9/v1",
        "http://localhost:9/v1",
        "http://[::1]:9/v1",
    ] {
        Client::builder()
            .admin_key(KEY)
            .base_url(url)
            .build()
            .unwrap();
    }
    Client::builder()
        .admin_key(KEY)
        .base_url("http://api.example.com/v1")
        .allow_insecure_http(true)
        .network_env_with(|_| None)
        .build()
        .unwrap();
}

#[tokio::test]
async fn a_body_over_the_cap_is_an_error_not_an_allocation() {
    let server = FakeServer::start().await.unwrap();
    let client = support::loopback_builder(&server)
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    server.fake().push_fault(Fault::oversized_body(1024 * 1024));
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{err}");
    assert!(err.request_id().is_some());
    // Under the cap, the same client works.
    client.list_invites(ListInvites::new()).await.unwrap();
}

#[tokio::test]
async fn an_error_answer_over_the_cap_is_classified_by_its_status() {
    let server = FakeServer::start().await.unwrap();
    let client = support::loopback_builder(&server)
        .max_response_bytes(64 * 1024)
        .max_retries(0)
        .build()
        .unwrap();
    let big = vec![b'x'; 128 * 1024];
    // A 503 too large to read may pass later: retryable, as any 503.
    server
        .fake()
        .push_fault(Fault::status(503).body(big.clone()));
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{err}");
    assert!(err.is_retryable(), "{err}");
    // A 429 too large to read: the service refused the delete, so its outcome is known.
    let invite = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap();
    server
        .fake()
        .push_fault(Fault::status(429).body(big.clone()));
    let err = client.delete_invite(invite.id.clone()).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert!(!err.is_outcome_unknown(), "{err}");
    // A 400 too large to read is final, and the delete was not made.
    server.fake().push_fault(Fault::status(400).body(big));
    let err = client.delete_invite(invite.id.clone()).await.unwrap_err();
    assert!(!err.is_retryable(), "{err}");
    assert!(!err.is_outcome_unknown(), "{err}");
    assert_eq!(server.fake().invites().len(), 1);
}

#[tokio::test]
async fn a_create_answered_over_the_cap_is_settled_by_its_status() {
    let server = FakeServer::start().await.unwrap();
    let client = support::loopback_builder(&server)
        .max_response_bytes(64 * 1024)
        .reconcile_settle_delay(std::time::Duration::from_millis(10))
        .build()
        .unwrap();
    let big = vec![b'x'; 128 * 1024];
    let creates = |fake: &FakeInvites| {
        fake.requests()
            .iter()
            .filter(|r| r.method == http::Method::POST)
            .count()
    };
    // A 503 too large to read, after the service made the invite: found by reading, never
    // sent again.
    let fake = server.fake();
    fake.push_fault(Fault::status(503).body(big.clone()).apply_first());
    let made = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap();
    assert_eq!(fake.invites(), vec![made]);
    assert_eq!(creates(fake), 1);
    // A 429 too large to read: the service refused, so the create is sent again.
    fake.push_fault(Fault::status(429).body(big));
    client
        .invite_user(InviteRequest::new("bo@example.com", InviteRole::Reader))
        .await
        .unwrap();
    assert_eq!(fake.invites().len(), 2);
    assert_eq!(creates(fake), 3);
}

#[tokio::test]
async fn hostile_ids_reach_the_server_as_one_segment() {
    let (server, client) = support::loopback().await;
    for (id, path) in [
        ("a/b", "/v1/organization/invites/a%2Fb"),
        ("..", "/v1/organization/invites/%2E%2E"),
        ("?x=1", "/v1/organization/invites/%3Fx%3D1"),
        (
            "../../v1/organization/invites",
            "/v1/organization/invites/%2E%2E%2F%2E%2E%2Fv1%2Forganization%2Finvites",
        ),
    ] {
        let err = client.retrieve_invite(id).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{id}");
        let last = server.fake().requests().pop().unwrap();
        assert_eq!(last.path, path);
        assert_eq!(last.query, None);
        assert_eq!(last.operation, Some("retrieveInvite"));
    }
}
