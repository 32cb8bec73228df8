//! Every operation against the fake, in process and over loopback: successes, typed errors
//! with request ids, and the three `projects` states as the server received them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use openai_invites::{
    Client, ErrorKind, InviteProject, InviteRequest, InviteRole, InviteStatus, ListInvites,
    ProjectRole,
};
use openai_invites_mock::FakeInvites;
use serde_json::json;

async fn every_operation(fake: &FakeInvites, client: &Client) {
    let ana = client
        .invite_user(
            InviteRequest::new("ana@example.com", InviteRole::Reader)
                .with_project("proj_a", ProjectRole::Member),
        )
        .await
        .unwrap();
    assert_eq!(ana.email, "ana@example.com");
    assert_eq!(ana.status, InviteStatus::Pending);
    assert_eq!(
        ana.projects,
        vec![InviteProject::new("proj_a", ProjectRole::Member)]
    );
    assert_eq!(fake.get(&ana.id).unwrap(), ana);

    let page = client
        .list_invites(ListInvites::new().limit(10))
        .await
        .unwrap();
    assert_eq!(page.data, vec![ana.clone()]);
    assert!(!page.has_more);

    assert_eq!(client.retrieve_invite(&ana.id).await.unwrap(), ana);

    let deleted = client.delete_invite(&ana.id).await.unwrap();
    assert_eq!(
        (deleted.id.as_str(), deleted.deleted),
        (ana.id.as_str(), true)
    );
    assert!(fake.invites().is_empty());

    // What went over the wire: four requests, authenticated, identified.
    let log = fake.requests();
    let ops: Vec<_> = log.iter().map(|r| r.operation.unwrap()).collect();
    assert_eq!(
        ops,
        [
            "inviteUser",
            "listInvites",
            "retrieveInvite",
            "deleteInvite"
        ]
    );
    for request in &log {
        assert!(
            request
                .header("user-agent")
                .unwrap()
                .starts_with("openai-invites/")
        );
        assert_eq!(request.header("accept"), Some("application/json"));
    }
    assert_eq!(log[1].query.as_deref(), Some("limit=10"));
}

#[tokio::test]
async fn every_operation_in_process() {
    let (fake, client) = support::in_process();
    every_operation(&fake, &client).await;
}

#[tokio::test]
async fn every_operation_over_loopback() {
    let (server, client) = support::loopback().await;
    every_operation(server.fake(), &client).await;
    server.shutdown().await;
}

async fn typed_errors(fake: &FakeInvites, client: &Client) {
    // 404
    let err = client.retrieve_invite("invite-missing").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(err.request_id().unwrap().starts_with("req_"));
    assert_eq!(err.attempts(), 1);
    assert!(!err.is_retryable() && !err.is_timeout() && !err.is_connect());

    // 409: a second pending invite for the same address. The client reads the invites and
    // says which one is pending.
    let bo = client
        .invite_user(InviteRequest::new("bo@example.com", InviteRole::Owner))
        .await
        .unwrap();
    let err = client
        .invite_user(InviteRequest::new("BO@example.com", InviteRole::Owner))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyInvited, "{err}");
    assert_eq!(err.invite().unwrap().id, bo.id);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert!(err.api_error().unwrap().message().is_some());
    assert!(!err.is_outcome_unknown() && !err.is_retryable());
    assert_eq!(fake.invites().len(), 1);

    // 400: the service refuses (an implausible address passes our encoder, not the fake).
    let err = client
        .invite_user(InviteRequest::new("not-an-address", InviteRole::Owner))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        err.api_error().unwrap().kind(),
        Some("invalid_request_error")
    );
    assert!(err.request_id().is_some());

    // Invalid input never leaves the client.
    let before = fake.request_count();
    let err = client
        .list_invites(ListInvites::new().limit(0))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Encode);
    assert_eq!(err.attempts(), 0);
    assert!(err.is_not_sent());
    let err = client.retrieve_invite("").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Encode);
    assert_eq!(fake.request_count(), before);
}

#[tokio::test]
async fn typed_errors_in_process() {
    let (fake, client) = support::in_process();
    typed_errors(&fake, &client).await;
}

#[tokio::test]
async fn typed_errors_over_loopback() {
    let (server, client) = support::loopback().await;
    typed_errors(server.fake(), &client).await;
}

async fn unauthorized(client: Client) {
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.api_error().unwrap().code(), Some("invalid_api_key"));
    assert!(err.request_id().is_some());
    assert!(!err.to_string().contains("sk-admin-wrong"), "{err}");
}

#[tokio::test]
async fn wrong_key_is_a_typed_401_on_both_faces() {
    let fake = FakeInvites::new();
    unauthorized(
        Client::builder()
            .admin_key("sk-admin-wrong")
            .transport(fake.service())
            .build()
            .unwrap(),
    )
    .await;
    let (server, _) = support::loopback().await;
    unauthorized(
        Client::builder()
            .base_url(&server.base_url())
            .admin_key("sk-admin-wrong")
            .build()
            .unwrap(),
    )
    .await;
}

async fn three_project_states(fake: &FakeInvites, client: &Client) {
    let base = InviteRequest::new("x@example.com", InviteRole::Reader);
    let cases = [
        (
            base.clone(),
            json!({"email": "x@example.com", "role": "reader"}),
        ),
        (
            base.clone().without_projects(),
            json!({"email": "y@example.com", "role": "reader", "projects": []}),
        ),
        (
            base.clone().with_project("proj_1", ProjectRole::Owner),
            json!({"email": "z@example.com", "role": "reader", "projects": [{"id": "proj_1", "role": "owner"}]}),
        ),
    ];
    for (i, (mut request, expected)) in cases.into_iter().enumerate() {
        request.email = expected["email"].as_str().unwrap().to_owned();
        let invite = client.invite_user(request).await.unwrap();
        let received = fake.requests().last().unwrap().json().unwrap();
        assert_eq!(received, expected, "case {i}");
        // The fake keeps the meanings apart: default project, none, exactly these.
        match i {
            0 => assert_eq!(invite.projects.len(), 1),
            1 => assert!(invite.projects.is_empty()),
            _ => assert_eq!(
                invite.projects,
                vec![InviteProject::new("proj_1", ProjectRole::Owner)]
            ),
        }
    }
}

#[tokio::test]
async fn three_project_states_in_process() {
    let (fake, client) = support::in_process();
    three_project_states(&fake, &client).await;
}

#[tokio::test]
async fn three_project_states_over_loopback() {
    let (server, client) = support::loopback().await;
    three_project_states(server.fake(), &client).await;
}

#[tokio::test]
async fn client_is_a_tower_service_of_operations() {
    use tower::ServiceExt;
    let (_fake, client) = support::in_process();
    let page = client.clone().oneshot(ListInvites::new()).await.unwrap();
    assert!(page.data.is_empty());
    let err = client
        .oneshot(openai_invites::RetrieveInvite::new("nope"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_call_is_a_named_future_sent_only_when_polled() {
    use openai_invites::{Call, RetrieveInvite};
    fn send_and_static<T: Send + 'static>(_: &T) {}

    let (fake, client) = support::in_process();
    let invite = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap();
    let before = fake.request_count();

    // Encoded when made: an invalid operation is refused before any poll.
    let refused = client.retrieve_invite("");
    assert!(format!("{refused:?}").contains("refused"));
    let call: Call<RetrieveInvite> = client.retrieve_invite(invite.id.clone());
    assert!(format!("{call:?}").contains("sending"));
    send_and_static(&call);

    // Other tasks run; nothing is sent until the call is polled.
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    assert_eq!(fake.request_count(), before);
    drop(refused);

    // It can be stored in a struct and spawned.
    struct Pending {
        call: Call<RetrieveInvite>,
    }
    let pending = Pending { call };
    let got = tokio::spawn(pending.call).await.unwrap().unwrap();
    assert_eq!(got.id, invite.id);
    assert_eq!(fake.request_count(), before + 1);

    // It is what the client's `Service<O>` returns.
    let call: Call<RetrieveInvite> =
        tower::Service::call(&mut client.clone(), RetrieveInvite::new(invite.id.clone()));
    assert_eq!(call.await.unwrap().email, "ana@example.com");
}

#[tokio::test]
#[should_panic(expected = "`Call` polled after completion")]
async fn polling_a_call_again_after_its_answer_panics() {
    use futures_util::FutureExt;
    let (_fake, client) = support::in_process();
    let mut call = Box::pin(client.list_invites(ListInvites::new()));
    assert!(call.as_mut().await.is_ok());
    let _ = call.as_mut().now_or_never();
}

#[tokio::test]
#[should_panic(expected = "`Call` polled after completion")]
async fn polling_a_refused_call_again_panics() {
    use futures_util::FutureExt;
    let (_fake, client) = support::in_process();
    let mut call = Box::pin(client.retrieve_invite(""));
    // The encode error comes back on the first poll, without waiting.
    let first = call.as_mut().now_or_never().expect("ready at once");
    assert_eq!(first.unwrap_err().kind(), ErrorKind::Encode);
    let _ = call.as_mut().now_or_never();
}

/// A call does nothing until it is polled: made outside a runtime it does not panic, and an
/// unpolled call holds no rate-limit permit and arms no timer.
#[test]
fn a_call_made_outside_a_runtime_waits_to_be_polled() {
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake).build().unwrap();
    let call = client.list_invites(ListInvites::new());
    assert_eq!(fake.request_count(), 0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(call).unwrap();
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_unpolled_call_takes_no_permit() {
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .rate_limit(openai_invites::Quota::per_minute(std::num::NonZeroU32::MIN))
        .build()
        .unwrap();
    let unpolled = client.list_invites(ListInvites::new());
    let started = tokio::time::Instant::now();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(
        started.elapsed(),
        std::time::Duration::ZERO,
        "the one permit was free"
    );
    drop(unpolled);
}
