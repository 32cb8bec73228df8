//! Spans carry the documented fields (captured with a recording subscriber).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use openai_invites::{InviteRequest, InviteRole, ListInvites};
use openai_invites_mock::Fault;

#[tokio::test]
async fn call_and_attempt_spans_carry_otel_fields() {
    let (server, client) = support::loopback().await;
    let (recorder, _guard) = support::recorder::record();

    let invite = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let _ = client.retrieve_invite("invite-missing").await.unwrap_err();
    client.delete_invite(&invite.id).await.unwrap();

    // A call span's tracing name is fixed; its OpenTelemetry name is the operation's.
    let names: Vec<String> = recorder
        .spans()
        .into_iter()
        .filter(|s| s.name.starts_with("invites."))
        .map(|s| match s.name.as_str() {
            "invites.call" => s.fields["otel.name"].clone(),
            _ => s.name,
        })
        .collect();
    assert_eq!(
        names,
        [
            "invites.create",
            "invites.attempt",
            "invites.list",
            "invites.attempt",
            "invites.retrieve",
            "invites.attempt",
            "invites.delete",
            "invites.attempt",
        ]
    );

    let create = &recorder.calls("invites.create")[0];
    assert_eq!(create.fields["otel.kind"], "client");
    assert_eq!(create.fields["openai.operation"], "inviteUser");
    assert!(!create.fields.contains_key("error.type"));
    // A call whose final answer is an error status says so too.
    assert_eq!(
        recorder.calls("invites.retrieve")[0].fields["error.type"],
        "404"
    );

    let attempts = recorder.spans_named("invites.attempt");
    let first = &attempts[0].fields;
    assert_eq!(first["http.request.method"], "POST");
    assert_eq!(first["url.template"], "/organization/invites");
    assert_eq!(first["server.address"], "127.0.0.1");
    assert_eq!(first["server.port"], server.addr().port().to_string());
    assert_eq!(first["http.response.status_code"], "200");
    assert!(first["openai.request_id"].starts_with("req_"));
    assert_eq!(first["otel.name"], "POST /organization/invites");
    assert!(!first.contains_key("http.request.resend_count"));
    assert!(!first.contains_key("error.type"));

    let missing = &attempts[2].fields;
    assert_eq!(missing["url.template"], "/organization/invites/{invite_id}");
    assert_eq!(missing["http.response.status_code"], "404");
    assert_eq!(missing["error.type"], "404");
}

#[tokio::test(start_paused = true)]
async fn a_redirect_fails_the_call_and_its_span_says_so() {
    let (fake, client) = support::in_process();
    fake.push_fault(Fault::status(302).header("location", "https://elsewhere.example/"));
    let (recorder, _guard) = support::recorder::record();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::FOUND));
    // The call failed: its span names the status. The attempt, by HTTP's conventions, names
    // only 4xx and 5xx.
    assert_eq!(
        recorder.calls("invites.list")[0].fields["error.type"],
        "302"
    );
    let attempt = &recorder.spans_named("invites.attempt")[0].fields;
    assert_eq!(attempt["http.response.status_code"], "302");
    assert!(!attempt.contains_key("error.type"));
}

#[tokio::test(start_paused = true)]
async fn a_retried_transport_failure_shows_in_both_attempt_spans() {
    let (fake, client) = support::in_process();
    fake.push_fault(Fault::drop_connection());
    let (recorder, _guard) = support::recorder::record();
    client.list_invites(ListInvites::new()).await.unwrap();

    let attempts = recorder.spans_named("invites.attempt");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].fields["error.type"], "transport");
    assert!(!attempts[0].fields.contains_key("http.request.resend_count"));
    assert_eq!(attempts[1].fields["http.request.resend_count"], "1");
    assert_eq!(attempts[1].fields["http.response.status_code"], "200");
    let call = &recorder.calls("invites.list")[0];
    assert!(!call.fields.contains_key("error.type"));
    let retry_event = recorder
        .events()
        .into_iter()
        .find(|e| e.contains("retrying"))
        .expect("a retry event");
    assert!(
        retry_event.contains("connection lost after sending"),
        "{retry_event}"
    );
    assert!(retry_event.contains("delay_ms"), "{retry_event}");
}

#[tokio::test]
async fn a_final_transport_failure_is_typed_in_error_type() {
    let fake = openai_invites_mock::FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .reconcile_invites(false)
        .build()
        .unwrap();
    fake.push_fault(Fault::drop_connection());
    let (recorder, _guard) = support::recorder::record();
    let err = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), openai_invites::ErrorKind::Transport);
    assert!(err.is_outcome_unknown());
    assert_eq!(err.attempts(), 1);
    let call = &recorder.calls("invites.create")[0];
    assert_eq!(call.fields["error.type"], "transport");
    let attempt = &recorder.spans_named("invites.attempt")[0];
    assert_eq!(attempt.fields["error.type"], "transport");
}

/// When the call's deadline cuts an attempt short, the attempt fails as the call does (its
/// timer stands for both), so both spans say why.
#[tokio::test(start_paused = true)]
async fn an_attempt_cut_by_the_call_deadline_records_a_timeout() {
    let (recorder, _guard) = support::recorder::record();
    let client = openai_invites::Client::builder()
        .admin_key("sk-admin-test")
        .transport(support::never_answers())
        .attempt_timeout(std::time::Duration::from_secs(60))
        .total_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), openai_invites::ErrorKind::TotalTimeout);
    let attempts = recorder.spans_named("invites.attempt");
    assert_eq!(attempts.len(), 1, "{}", recorder.dump());
    assert_eq!(attempts[0].fields["error.type"], "timeout");
    assert_eq!(
        recorder.calls("invites.list")[0].fields["error.type"],
        "timeout"
    );
}

#[tokio::test(start_paused = true)]
async fn a_server_error_after_every_retry_is_the_calls_error_type() {
    let fake = openai_invites_mock::FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .max_retries(2)
        .build()
        .unwrap();
    fake.push_fault(Fault::status(500).times(3));
    let (recorder, _guard) = support::recorder::record();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_eq!(recorder.spans_named("invites.attempt").len(), 3);
    assert_eq!(
        recorder.calls("invites.list")[0].fields["error.type"],
        "500"
    );
}
