//! Error text fit for logs: one line that says what failed and where, each cause once, the
//! request id once; `source()` returns nothing, so reporters do not print a cause twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::error::Error as _;

use bytes::Bytes;
use openai_invites::core::DecodeError;
use openai_invites::{Client, ErrorKind, ListInvites};
use openai_invites_mock::Fault;

/// What anyhow's `{:#}` and eyre print: the error, then each `source()`.
fn reported(err: &openai_invites::Error) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        text.push_str(&format!(": {cause}"));
        next = cause.source();
    }
    text
}

#[tokio::test]
async fn an_api_error_names_the_operation_the_status_and_the_request_id_once() {
    let (fake, client) = support::in_process();
    let err = client.retrieve_invite("invite-nope").await.unwrap_err();
    let id = err.request_id().unwrap().to_owned();
    let text = reported(&err);
    assert!(
        text.starts_with("retrieveInvite: the service answered 404 Not Found"),
        "{text}"
    );
    assert_eq!(text.matches(&id).count(), 1, "{text}");
    assert!(err.source().is_none());
    fake.push_fault(Fault::malformed_json());
    let decode = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(decode.kind(), ErrorKind::Decode);
    let id = decode.request_id().unwrap().to_owned();
    let text = reported(&decode);
    assert_eq!(text.matches(&id).count(), 1, "{text}");
    // What serde said, once; the decode error itself stays reachable.
    let inner = decode
        .get_ref()
        .unwrap()
        .downcast_ref::<DecodeError>()
        .unwrap();
    let serde = inner.source().unwrap().to_string();
    assert_eq!(text.matches(&serde).count(), 1, "{text}");
}

#[tokio::test]
async fn an_encode_error_says_what_is_wrong_once() {
    let (_fake, client) = support::in_process();
    let err = client
        .list_invites(ListInvites::new().limit(0))
        .await
        .unwrap_err();
    let text = reported(&err);
    assert!(text.contains("invalid request: invalid `limit`"), "{text}");
    assert_eq!(text.matches("invalid `limit`").count(), 1, "{text}");
    assert!(text.ends_with("; nothing was sent"), "{text}");
}

#[tokio::test]
async fn a_transport_failure_after_sending_says_where_and_that_the_outcome_is_unknown() {
    let transport = tower::service_fn(|_request: http::Request<Bytes>| async {
        Err::<http::Response<Bytes>, _>(std::io::Error::other("connection reset by peer"))
    });
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(transport)
        .build()
        .unwrap();
    let err = client
        .invite_user(openai_invites::InviteRequest::new(
            "ana@example.com",
            openai_invites::InviteRole::Reader,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    let text = reported(&err);
    assert_eq!(
        text.matches("connection reset by peer").count(),
        1,
        "{text}"
    );
    assert!(text.contains("outcome is unknown"), "{text}");
}
