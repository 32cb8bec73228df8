//! `Call::with_info`: the request id, the `x-ratelimit-*` values, the processing time, the
//! attempts and the elapsed time of a successful call; a plain `.await` is unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use bytes::Bytes;
use openai_invites::{
    Client, Invite, InviteRequest, InviteRole, InviteUser, Jitter, ListInvites, Operation,
    Reconciled,
};
use openai_invites_mock::{FakeInvites, Fault, Match};

#[tokio::test]
async fn the_request_id_and_one_attempt_of_a_plain_call() {
    let (fake, client) = support::in_process();
    let (page, info) = client
        .list_invites(ListInvites::new())
        .with_info()
        .await
        .unwrap();
    assert!(page.data.is_empty());
    assert_eq!(info.status(), 200);
    assert_eq!(info.attempts(), 1);
    let id = info.request_id().unwrap();
    assert!(id.starts_with("req_"), "{id}");
    assert_eq!(info.headers()["x-request-id"], id);
    // The fake sends no rate-limit headers: each value is absent, not zero.
    assert_eq!(info.rate_limit().remaining_requests, None);
    assert_eq!(fake.request_count(), 1);
    // The plain call still returns the output alone.
    let invite: Result<Invite, _> = client.retrieve_invite("invite-nope").await;
    assert!(invite.is_err());
}

#[tokio::test]
async fn rate_limit_headers_and_processing_time_are_read_when_present() {
    let transport = tower::service_fn(|_request: http::Request<Bytes>| async {
        let body = r#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#;
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .header("x-request-id", "req_42")
                .header("x-ratelimit-limit-requests", "60")
                .header("x-ratelimit-remaining-requests", "59")
                .header("x-ratelimit-reset-requests", "1s")
                .header("openai-processing-ms", "12")
                .body(Bytes::from_static(body.as_bytes()))
                .unwrap(),
        )
    });
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(transport)
        .build()
        .unwrap();
    let (_, info) = client
        .list_invites(ListInvites::new())
        .with_info()
        .await
        .unwrap();
    assert_eq!(info.request_id(), Some("req_42"));
    let limits = info.rate_limit();
    assert_eq!(limits.limit_requests, Some(60));
    assert_eq!(limits.remaining_requests, Some(59));
    assert_eq!(limits.reset_requests, Some(Duration::from_secs(1)));
    assert_eq!(info.processing_time(), Some(Duration::from_millis(12)));
    let debug = format!("{info:?}");
    assert!(
        debug.contains("req_42") && debug.contains("attempts: 1"),
        "{debug}"
    );
}

#[tokio::test(start_paused = true)]
async fn attempts_and_elapsed_time_count_the_retries() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).times(2));
    let client = support::in_process_builder(&fake)
        .max_retries(2)
        .retry_backoff(Duration::from_millis(100), Duration::from_secs(1))
        .retry_jitter(Jitter::none())
        .build()
        .unwrap();
    let call = client.list_invites(ListInvites::new()).with_info();
    // The clock starts at the first poll, not when the call is made.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (_, info) = call.await.unwrap();
    assert_eq!(info.attempts(), 3);
    // 100 ms, then 200 ms of backoff.
    assert_eq!(info.elapsed(), Duration::from_millis(300));
    assert_eq!(fake.request_count(), 3);
}

#[tokio::test]
async fn a_failed_call_with_info_is_the_same_error() {
    let (_fake, client) = support::in_process();
    let err = client
        .retrieve_invite("invite-nope")
        .with_info()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_create_settled_by_reading_says_it_was_reconciled() {
    let (fake, client) = support::in_process();
    fake.push_fault(
        Fault::drop_connection()
            .apply_first()
            .matching(Match::Operation(InviteUser::META)),
    );
    let (invite, info) = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .with_info()
        .await
        .unwrap();
    assert_eq!(info.reconciled(), Some(Reconciled::Created));
    assert_eq!(fake.invites()[0].id, invite.id);
    // A plain create that needed no reading says nothing was settled.
    let (_, info) = client
        .invite_user(InviteRequest::new("bo@example.com", InviteRole::Reader))
        .with_info()
        .await
        .unwrap();
    assert_eq!(info.reconciled(), None);
}
