//! `list_all_invites`: every invite once, in order, with the fewest requests; a repeated
//! cursor ends the stream with an error instead of a loop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use openai_invites::{Client, ErrorKind, InviteRequest, InviteRole, ListInvites};

#[tokio::test]
async fn walks_250_invites_in_three_requests() {
    let (fake, client) = support::in_process();
    for i in 0..250 {
        fake.seed(InviteRequest::new(
            format!("user{i}@example.com"),
            InviteRole::Reader,
        ));
    }
    let all: Vec<_> = client
        .list_all_invites(ListInvites::new().limit(100))
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = fake.invites().into_iter().map(|i| i.id).collect();
    let got: Vec<String> = all.into_iter().map(|i| i.id).collect();
    assert_eq!(got, expected, "every invite once, in the service's order");

    let log = fake.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].query.as_deref(), Some("limit=100"));
    assert_eq!(
        log[1].query.as_deref(),
        Some(format!("limit=100&after={}", expected[99]).as_str())
    );
    assert_eq!(
        log[2].query.as_deref(),
        Some(format!("limit=100&after={}", expected[199]).as_str())
    );
}

#[tokio::test]
async fn an_empty_organization_is_one_request() {
    let (fake, client) = support::in_process();
    let all: Vec<_> = client.list_all_invites(ListInvites::new()).collect().await;
    assert!(all.is_empty());
    assert_eq!(fake.request_count(), 1);
}

/// A broken service that always answers the same page, claiming more follow.
fn looping_service() -> Client {
    let page = r#"{"object":"list","data":[{"object":"organization.invite","id":"invite-1",
        "email":"a@example.com","role":"reader","status":"pending","created_at":1}],
        "first_id":"invite-1","last_id":"invite-1","has_more":true}"#;
    let transport = tower::service_fn(move |_req: http::Request<Bytes>| async move {
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .header("x-request-id", "req_loop")
                .body(Bytes::from_static(page.as_bytes()))
                .unwrap(),
        )
    });
    Client::builder()
        .admin_key("sk-admin-test")
        .transport(transport)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_repeated_cursor_ends_with_an_error() {
    let items: Vec<_> = looping_service()
        .list_all_invites(ListInvites::new().limit(1))
        .collect()
        .await;
    assert_eq!(
        items.len(),
        2,
        "the first page, then the error, then the end"
    );
    assert_eq!(items[0].as_ref().unwrap().id, "invite-1");
    let err = items[1].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RepeatedCursor);
    assert!(err.to_string().contains("invite-1"), "{err}");
    // Pages were fetched: it is not a call that sent nothing.
    assert!(!err.is_not_sent(), "{err}");
}

#[tokio::test]
async fn errors_end_the_stream() {
    let client = Client::builder()
        .admin_key("sk-admin-wrong")
        .transport(openai_invites_mock::FakeInvites::new().service())
        .build()
        .unwrap();
    let items: Vec<_> = client.list_all_invites(ListInvites::new()).collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(401)
    );
}
