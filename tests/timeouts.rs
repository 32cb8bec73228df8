//! Attempt timeout and total timeout are distinct errors (paused tokio time: no real waiting).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use bytes::Bytes;
use openai_invites::{Client, ErrorKind, ListInvites};
use openai_invites_mock::Fault;

fn never_answers() -> impl tower::Service<
    http::Request<Bytes>,
    Response = http::Response<Bytes>,
    Error = std::convert::Infallible,
    Future: Send,
> + Clone
+ Send
+ Sync {
    tower::service_fn(|_req: http::Request<Bytes>| {
        std::future::pending::<Result<http::Response<Bytes>, std::convert::Infallible>>()
    })
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_fires_first_when_shorter() {
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(never_answers())
        .attempt_timeout(Duration::from_secs(2))
        .total_timeout(Duration::from_secs(30))
        .disable_retries()
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AttemptTimeout);
    assert!(err.is_timeout());
    assert_eq!(err.attempts(), 1);
    assert_eq!(started.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn total_timeout_fires_first_when_shorter() {
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(never_answers())
        .attempt_timeout(Duration::from_secs(60))
        .total_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout);
    assert!(err.is_timeout());
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert!(err.to_string().contains("total timeout"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_slow_fake_trips_the_attempt_timeout() {
    let (fake, _) = support::in_process();
    fake.push_fault(Fault::delay(Duration::from_secs(90)));
    let client = support::in_process_builder(&fake)
        .attempt_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let err = client
        .invite_user(openai_invites::InviteRequest::new(
            "slow@example.com",
            openai_invites::InviteRole::Reader,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AttemptTimeout);
    assert!(err.is_outcome_unknown());
    assert!(err.to_string().contains("outcome is unknown"), "{err}");
}
