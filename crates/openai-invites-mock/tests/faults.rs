//! Scripted faults on both faces: each kind, `times(n)`, matching, and `apply_first`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use http::{Method, StatusCode};
use openai_invites_core::{ErrorEnvelope, InviteUser, Operation, ResponseError};
use openai_invites_mock::{FakeError, FakeInvites, FakeServer, Fault, Match};
use serde_json::json;
use support::{INVITES, Schema, assert_conforms, call, create, item, wire};
use tower::ServiceExt;

fn create_call(email: &str) -> support::Call {
    call(Method::POST, INVITES).json(json!({"email": email, "role": "reader"}))
}

// ---- in process ----

#[tokio::test]
async fn status_fault_with_headers_and_default_envelope() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(500).header("x-should-retry", "false"));
    let reply = call(Method::GET, INVITES).send_raw(&fake).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.header("x-should-retry"), "false");
    assert_eq!(reply.header("content-type"), "application/json");
    assert!(reply.header("x-request-id").starts_with("req_"));
    let body = reply.json();
    assert_conforms(Schema::Error, &body);
    assert_eq!(body["error"]["type"], "server_error");
    // Normal behaviour resumes.
    assert_eq!(call(Method::GET, INVITES).send(&fake).await.status, 200);
}

#[tokio::test]
async fn rate_limited_html_and_json_faults() {
    let fake = FakeInvites::new();
    fake.fault(Fault::rate_limited(100))
        .fault(Fault::html(
            503,
            "<html><body>Service Unavailable</body></html>",
        ))
        .fault(
            Fault::status(StatusCode::IM_A_TEAPOT)
                .json(json!({"custom": true}))
                .header("x-request-id", "req_fixed"),
        );
    let limited = call(Method::GET, INVITES).send_raw(&fake).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after-ms"), "100");
    assert_eq!(limited.header("retry-after"), "1");
    let envelope: ErrorEnvelope = serde_json::from_slice(&limited.body).unwrap();
    assert_eq!(envelope.error.code.as_deref(), Some("rate_limit_exceeded"));
    assert_conforms(Schema::Error, &limited.json());
    let html = call(Method::GET, INVITES).send_raw(&fake).await;
    assert_eq!(html.status, 503);
    assert_eq!(html.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(html.body, "<html><body>Service Unavailable</body></html>");
    let custom = call(Method::GET, INVITES).send_raw(&fake).await;
    assert_eq!(custom.status, 418);
    assert_eq!(custom.json(), json!({"custom": true}));
    assert_eq!(custom.header("x-request-id"), "req_fixed");
    assert_eq!(fake.pending_faults(), 0);
}

#[tokio::test]
async fn times_and_matching() {
    let fake = FakeInvites::new();
    fake.push_fault(
        Fault::status(503)
            .times(2)
            .matching(Match::Operation(InviteUser::META)),
    );
    fake.push_fault(Fault::status(502).matching(Match::route(
        Method::GET,
        "/organization/invites/{invite_id}",
    )));
    // Lists are not matched by either fault.
    assert_eq!(call(Method::GET, INVITES).send(&fake).await.status, 200);
    assert_eq!(create_call("a@example.com").send(&fake).await.status, 503);
    assert_eq!(
        call(Method::GET, &item("invite-x"))
            .send(&fake)
            .await
            .status,
        502
    );
    assert_eq!(create_call("a@example.com").send(&fake).await.status, 503);
    assert_eq!(create_call("a@example.com").send(&fake).await.status, 200);
    assert_eq!(
        call(Method::GET, &item("invite-x"))
            .send(&fake)
            .await
            .status,
        404
    );
    let faults: Vec<_> = fake.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(
        faults,
        [
            None,
            Some("status 503".into()),
            Some("status 502".into()),
            Some("status 503".into()),
            None,
            None
        ]
    );
    // Faulted creates did not touch the store.
    assert_eq!(fake.invites().len(), 1);
    fake.push_fault(Fault::status(500).times(5));
    fake.clear_faults();
    assert_eq!(call(Method::GET, INVITES).send(&fake).await.status, 200);
}

/// A fault for an operation that is not one of the core's (a hand-built meta with a misspelt
/// name) would never fire: refused when pushed, never queued silently.
#[tokio::test]
async fn a_fault_for_an_operation_not_in_the_table_is_refused() {
    let fake = FakeInvites::new();
    let typo = openai_invites_core::OperationMeta {
        name: "invite_user",
        ..InviteUser::META
    };
    let fault = || Fault::status(503).matching(Match::Operation(typo.clone()));
    let refused = fake.try_push_fault(fault()).unwrap_err();
    assert!(
        refused.to_string().contains("`invite_user` is not one of"),
        "{refused}"
    );
    assert_eq!(fake.pending_faults(), 0);
    // `push_fault` cannot return the error: every request is answered 500 with it, until
    // the faults are cleared.
    fake.push_fault(fault());
    for _ in 0..2 {
        let reply = create_call("a@example.com").send_raw(&fake).await;
        assert_eq!(reply.status, 500);
        let message = reply.json()["error"]["message"].to_string();
        assert!(message.contains("`invite_user` is not one of"), "{message}");
    }
    assert!(fake.invites().is_empty());
    fake.clear_faults();
    assert_eq!(create_call("a@example.com").send(&fake).await.status, 200);
}

#[tokio::test]
async fn drop_connection_in_process() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::drop_connection());
    let err = fake
        .service()
        .oneshot(create_call("a@example.com").build(&fake))
        .await
        .unwrap_err();
    assert_eq!(err, FakeError::ConnectionDropped);
    assert!(err.to_string().contains("dropped the connection"));
    assert!(fake.invites().is_empty(), "not applied by default");
    assert_eq!(fake.request_count(), 1, "but delivered");
    assert_eq!(fake.requests()[0].fault.as_deref(), Some("drop connection"));
    assert_eq!(fake.requests()[0].status, None, "never answered");
}

#[tokio::test]
async fn apply_first_creates_then_fails() {
    let fake = FakeInvites::new();
    fake.push_fault(
        Fault::drop_connection()
            .apply_first()
            .matching(Match::Operation(InviteUser::META)),
    );
    let err = fake
        .service()
        .oneshot(create_call("a@example.com").build(&fake))
        .await
        .unwrap_err();
    assert_eq!(err, FakeError::ConnectionDropped);
    assert_eq!(
        fake.invites().len(),
        1,
        "the invite exists although the caller saw a failure"
    );
    // A blind retry now collides with the invite the first attempt created.
    assert_eq!(create_call("a@example.com").send(&fake).await.status, 409);

    // apply_first with a 5xx: created, yet the caller sees a 502.
    fake.push_fault(Fault::status(502).apply_first());
    assert_eq!(
        create_call("b@example.com").send_raw(&fake).await.status,
        502
    );
    assert_eq!(fake.invites().len(), 2);
    assert_eq!(
        fake.requests()[2].fault.as_deref(),
        Some("status 502 (applied first)")
    );
}

#[tokio::test]
async fn truncated_malformed_and_oversized_bodies_fail_decoding() {
    let fake = FakeInvites::new();
    fake.fault(Fault::truncated_body())
        .fault(Fault::malformed_json())
        .fault(Fault::oversized_body(200_000))
        .fault(Fault::truncated_body().apply_first());
    for expected_len in [None, None, Some(200_000)] {
        let reply = create_call("a@example.com").send_raw(&fake).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), "application/json");
        let response = http::Response::builder()
            .status(reply.status)
            .body(reply.body.clone())
            .unwrap();
        match expected_len {
            None => assert!(matches!(
                InviteUser::decode(response),
                Err(ResponseError::Decode(_))
            )),
            Some(len) => {
                assert!(reply.body.len() >= len);
                serde_json::from_slice::<serde_json::Value>(&reply.body).unwrap();
            }
        }
    }
    assert!(fake.invites().is_empty());
    let cut = create_call("a@example.com").send_raw(&fake).await;
    let invite = fake.invites().pop().unwrap();
    assert!(cut.body.len() > 10);
    assert!(
        String::from_utf8_lossy(&cut.body).contains(&invite.id),
        "the real answer, cut"
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&cut.body).is_err());
}

#[tokio::test(start_paused = true)]
async fn delay_then_normal_answer() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::delay(Duration::from_secs(30)));
    let start = tokio::time::Instant::now();
    let reply = create_call("a@example.com").send(&fake).await;
    assert_eq!(reply.status, 200);
    assert!(start.elapsed() >= Duration::from_secs(30));
    assert!(reply.header("openai-processing-ms").parse::<u64>().unwrap() >= 30_000);
    assert_eq!(
        fake.requests()[0].fault.as_deref(),
        Some("delay 30s, then normal answer")
    );
}

#[tokio::test(start_paused = true)]
async fn a_caller_that_times_out_during_a_delay() {
    // Without apply_first the request is handled when the delay ends: a caller that gave up
    // first changed nothing.
    let fake = FakeInvites::new();
    fake.push_fault(Fault::delay(Duration::from_secs(10)));
    let attempt = fake
        .service()
        .oneshot(create_call("a@example.com").build(&fake));
    assert!(
        tokio::time::timeout(Duration::from_secs(1), attempt)
            .await
            .is_err()
    );
    assert!(fake.invites().is_empty());
    // With apply_first the store sees it on arrival: a timeout is then truly ambiguous.
    fake.push_fault(
        Fault::status(504)
            .after_delay(Duration::from_secs(10))
            .apply_first(),
    );
    let attempt = fake
        .service()
        .oneshot(create_call("b@example.com").build(&fake));
    assert!(
        tokio::time::timeout(Duration::from_secs(1), attempt)
            .await
            .is_err()
    );
    assert_eq!(fake.invites().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn request_times_measure_backoff() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::rate_limited(250));
    let first = call(Method::GET, INVITES).send_raw(&fake).await;
    let wait = Duration::from_millis(first.header("retry-after-ms").parse().unwrap());
    tokio::time::sleep(wait).await;
    call(Method::GET, INVITES).send(&fake).await;
    let log = fake.requests();
    assert_eq!(log[1].at - log[0].at, Duration::from_millis(250));
}

// ---- on loopback ----

#[tokio::test]
async fn loopback_drop_connection_is_a_connection_error() {
    let fake = FakeInvites::new();
    let server = FakeServer::serve(fake.clone()).await.unwrap();
    fake.push_fault(Fault::drop_connection().apply_first());
    let err = wire::http1(server.addr(), create_call("a@example.com").build(&fake))
        .await
        .unwrap_err();
    assert!(err.is_incomplete_message() || err.is_closed(), "{err:?}");
    assert_eq!(fake.invites().len(), 1, "applied before the drop");
    // The server itself is fine.
    let reply = wire::http1(server.addr(), call(Method::GET, INVITES).build(&fake))
        .await
        .unwrap()
        .conforms();
    assert_eq!(reply.json()["data"].as_array().unwrap().len(), 1);
    // On HTTP/2 the whole connection goes too.
    fake.push_fault(Fault::drop_connection());
    let replies = wire::http2(server.addr(), vec![call(Method::GET, INVITES).build(&fake)]).await;
    assert!(replies[0].is_err());
    server.shutdown().await;
}

#[tokio::test]
async fn loopback_scripted_bodies() {
    let fake = FakeInvites::new();
    let server = FakeServer::serve(fake.clone()).await.unwrap();
    fake.fault(Fault::html(502, "<html>bad gateway</html>"))
        .fault(Fault::truncated_body())
        .fault(Fault::malformed_json())
        .fault(Fault::oversized_body(3 * 1024 * 1024))
        .fault(Fault::rate_limited(1500));
    let send = || wire::http1(server.addr(), call(Method::GET, INVITES).build(&fake));
    let html = send().await.unwrap();
    assert_eq!(
        (html.status.as_u16(), html.body.as_ref()),
        (502, b"<html>bad gateway</html>".as_ref())
    );
    let truncated = send().await.unwrap();
    assert_eq!(truncated.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&truncated.body).is_err());
    assert_eq!(
        truncated.header("content-length"),
        truncated.body.len().to_string()
    );
    let malformed = send().await.unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&malformed.body).is_err());
    let oversized = send().await.unwrap();
    assert!(oversized.body.len() >= 3 * 1024 * 1024);
    let limited = send().await.unwrap();
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), "2");
    assert_conforms(Schema::Error, &limited.json());
    assert_eq!(send().await.unwrap().conforms().status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn loopback_delay_and_times() {
    let fake = FakeInvites::new();
    let server = FakeServer::serve(fake.clone()).await.unwrap();
    fake.push_fault(Fault::delay(Duration::from_millis(60)).times(2));
    let start = std::time::Instant::now();
    for n in 0..3 {
        let reply = wire::http1(
            server.addr(),
            create_call(&format!("u{n}@example.com")).build(&fake),
        )
        .await
        .unwrap();
        assert_eq!(reply.conforms().status, 200);
    }
    assert!(start.elapsed() >= Duration::from_millis(120));
    let faults: Vec<_> = fake
        .requests()
        .into_iter()
        .map(|r| r.fault.is_some())
        .collect();
    assert_eq!(faults, [true, true, false]);
    assert_eq!(fake.invites().len(), 3);
    let id = fake.invites()[0].id.clone();
    fake.push_fault(Fault::status(503).matching(Match::route(Method::DELETE, item(&id))));
    let replies = wire::http2(
        server.addr(),
        vec![
            call(Method::DELETE, &item(&id)).build(&fake),
            call(Method::DELETE, &item(&id)).build(&fake),
        ],
    )
    .await;
    let statuses: Vec<u16> = replies
        .into_iter()
        .map(|r| r.unwrap().status.as_u16())
        .collect();
    assert_eq!(statuses, [503, 200]);
    server.shutdown().await;
    let _ = create(&fake, "after@example.com").await; // the handle outlives the server
}
