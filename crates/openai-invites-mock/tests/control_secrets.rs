//! The control API keeps secrets: the log over HTTP redacts them, a token guards the routes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use http::Method;
use openai_invites_mock::FakeInvites;
use serde_json::json;
use support::control::{KEY, TOKEN, control, server};
use support::{INVITES, call, wire};

#[tokio::test]
async fn the_log_over_http_shows_no_secret() {
    let server = server().await;
    let sneaky =
        call(Method::GET, &format!("{INVITES}?limit=2&api_key={KEY}")).header("x-api-key", KEY);
    wire::http1(server.addr(), sneaky.build(server.fake()))
        .await
        .unwrap();
    let create = call(Method::POST, INVITES)
        .json(json!({"email": "a@example.com", "role": "reader", "note": KEY}));
    wire::http1(server.addr(), create.build(server.fake()))
        .await
        .unwrap();
    let anonymous = call(Method::POST, INVITES)
        .unauthenticated()
        .json(json!({"email": "b@example.com", "role": "reader"}));
    assert_eq!(
        wire::http1(server.addr(), anonymous.build(server.fake()))
            .await
            .unwrap()
            .status,
        401
    );

    let log = control(&server, Method::GET, "/__fake/requests", None).await;
    let text = String::from_utf8_lossy(&log.body).into_owned();
    assert!(
        !text.contains(KEY) && !text.contains("CONTROLTEST"),
        "{text}"
    );
    let log = log.json();
    assert_eq!(
        (log["total"].clone(), log["kept"].clone()),
        (json!(3), json!(3))
    );
    let entries = log["data"].as_array().unwrap();
    assert_eq!(
        entries[0]["headers"]["authorization"],
        "Bearer sk-a...[redacted]"
    );
    assert_eq!(entries[0]["headers"]["x-api-key"], "[redacted]");
    assert_eq!(entries[0]["query"], "limit=2&api_key=[redacted]");
    assert_eq!(entries[0]["operation"], "listInvites");
    assert_eq!(entries[1]["json"]["email"], "a@example.com");
    assert_eq!(entries[1]["json"]["note"], "[redacted]");
    assert_eq!(
        entries[2]["body"], "",
        "no body kept for an unauthenticated request"
    );
    assert_eq!(entries[2]["body_truncated"], true);
    assert!(entries[2]["body_len"].as_u64().unwrap() > 20);
    assert_eq!(
        control(&server, Method::DELETE, "/__fake/requests", None)
            .await
            .json()["cleared"],
        3
    );
    assert_eq!(server.fake().request_count(), 0);
    server.shutdown().await;
}

#[tokio::test]
async fn a_control_token_guards_the_control_api_only() {
    let fake = FakeInvites::builder()
        .admin_key(KEY)
        .control_token(TOKEN)
        .build();
    let server = fake.start_server().await.unwrap();
    let missing = control(&server, Method::GET, "/__fake/requests", None).await;
    assert_eq!(
        (missing.status.as_u16(), missing.error()["code"].clone()),
        (401, json!("control_token_required"))
    );
    let wrong = wire::http1(
        server.addr(),
        call(Method::GET, "/__fake/requests")
            .unauthenticated()
            .header("x-fake-control-token", "nope")
            .build(&fake),
    )
    .await
    .unwrap();
    assert_eq!(wrong.error()["code"], "invalid_control_token");
    // The API does not care, and a token sent to it is never shown.
    let api_call = call(Method::GET, INVITES)
        .header("x-fake-control-token", TOKEN)
        .header("x-note", TOKEN);
    assert_eq!(
        wire::http1(server.addr(), api_call.build(&fake))
            .await
            .unwrap()
            .status,
        200
    );
    let right = wire::http1(
        server.addr(),
        call(Method::GET, "/__fake/requests")
            .unauthenticated()
            .header("x-fake-control-token", TOKEN)
            .build(&fake),
    )
    .await
    .unwrap();
    assert_eq!(right.status, 200);
    let text = String::from_utf8_lossy(&right.body);
    assert!(!text.contains(TOKEN), "{text}");
    assert!(!format!("{:?}", fake.requests()).contains(TOKEN));
    server.shutdown().await;
}
