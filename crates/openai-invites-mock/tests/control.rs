//! The control API over HTTP: seed, accept/expire, faults as JSON, the log, quota, reset, token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::{IpAddr, Ipv4Addr};

use http::Method;
use openai_invites_mock::{FakeInvites, FakeServer, Seed, ServerConfig};
use serde_json::{Value, json};
use support::{INVITES, call, item, wire};
use tower::ServiceExt;

use support::control::{KEY, api, control, server};

#[tokio::test]
async fn seed_accept_expire_over_http() {
    let server = server().await;
    let seeded = control(&server, Method::POST, "/__fake/invites", Some(json!({"invites": [
        {"id": "invite-old", "email": "old@example.com", "created_at": 1_600_000_000, "expires_at": 1_600_000_100},
        {"id": "invite-ana", "email": "ana@example.com", "role": "owner",
         "projects": [{"id": "proj_a", "role": "owner"}], "created_at": 1_700_000_000},
        {"id": "invite-bo", "email": "bo@example.com", "status": "accepted", "accepted_at": 1_700_000_500},
    ]}))).await;
    assert_eq!(seeded.status, 200, "{:?}", seeded.body);
    assert_eq!(seeded.json()["data"].as_array().unwrap().len(), 3);
    assert_eq!(
        seeded.json()["data"][0]["status"],
        "expired",
        "its expires_at has passed"
    );

    // The API sees them, in spec shapes, the last seeded first.
    let list = api(&server, Method::GET, INVITES).await.unwrap().conforms();
    let body = list.json();
    let ids: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["invite-bo", "invite-ana", "invite-old"]);
    let ana = api(&server, Method::GET, &item("invite-ana"))
        .await
        .unwrap()
        .conforms();
    assert_eq!(ana.json()["role"], "owner");
    assert_eq!(ana.json()["created_at"], 1_700_000_000);
    assert_eq!(
        ana.json()["projects"],
        json!([{"id": "proj_a", "role": "owner"}])
    );
    let bo = api(&server, Method::GET, &item("invite-bo"))
        .await
        .unwrap()
        .conforms();
    assert_eq!(
        (
            bo.json()["status"].clone(),
            bo.json()["accepted_at"].clone()
        ),
        (json!("accepted"), json!(1_700_000_500))
    );

    let accepted = control(
        &server,
        Method::POST,
        "/__fake/invites/invite-ana/accept",
        None,
    )
    .await;
    assert_eq!(accepted.json()["status"], "accepted");
    let refused = api(&server, Method::DELETE, &item("invite-ana"))
        .await
        .unwrap()
        .conforms();
    assert_eq!(refused.error()["code"], "invite_already_accepted");
    control(
        &server,
        Method::POST,
        "/__fake/invites",
        Some(json!({"id": "invite-cy", "email": "cy@example.com"})),
    )
    .await;
    let expired = control(
        &server,
        Method::POST,
        "/__fake/invites/invite-cy/expire",
        None,
    )
    .await;
    assert_eq!(expired.json()["status"], "expired");

    let unknown = control(
        &server,
        Method::POST,
        "/__fake/invites/invite-nope/accept",
        None,
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error()["code"], "unknown_invite");
    // All or nothing: one taken id refuses the whole seed.
    let clash = control(&server, Method::POST, "/__fake/invites", Some(json!([
        {"id": "invite-new", "email": "new@example.com"}, {"id": "invite-bo", "email": "x@example.com"}
    ]))).await;
    assert_eq!(
        (clash.status.as_u16(), clash.error()["code"].clone()),
        (409, json!("duplicate_id"))
    );
    assert!(server.fake().get("invite-new").is_none());
    let all = control(&server, Method::GET, "/__fake/invites", None).await;
    assert_eq!(all.json()["data"].as_array().unwrap().len(), 4);
    // Control requests are not API requests.
    assert_eq!(server.fake().request_count(), 4);
    server.shutdown().await;
}

#[tokio::test]
async fn faults_pushed_as_json() {
    let server = server().await;
    let queued = control(&server, Method::POST, "/__fake/faults", Some(json!([
        {"status": 503, "times": 2, "operation": "listInvites", "headers": {"retry-after": "1"},
         "body": "<html>down</html>"},
        {"kind": "drop_connection", "apply_first": true, "operation": "inviteUser"},
        {"kind": "truncated_body", "method": "GET", "path": "/organization/invites/{invite_id}"},
    ]))).await;
    assert_eq!(queued.json(), json!({"queued": 3, "pending": 3}));
    let listed = control(&server, Method::GET, "/__fake/faults", None).await;
    assert_eq!(listed.json()["data"][0]["times"], 2);
    assert_eq!(listed.json()["data"][1]["kind"], "drop_connection");

    for _ in 0..2 {
        let outage = api(&server, Method::GET, INVITES).await.unwrap();
        assert_eq!(outage.status, 503);
        assert_eq!(outage.header("retry-after"), "1");
        assert_eq!(outage.body, "<html>down</html>");
    }
    assert_eq!(
        api(&server, Method::GET, INVITES)
            .await
            .unwrap()
            .conforms()
            .status,
        200
    );
    let create =
        call(Method::POST, INVITES).json(json!({"email": "a@example.com", "role": "reader"}));
    assert!(
        wire::http1(server.addr(), create.build(server.fake()))
            .await
            .is_err(),
        "dropped"
    );
    let created = server.fake().invites();
    assert_eq!(created.len(), 1, "applied first: the invite exists");
    let cut = api(&server, Method::GET, &item(&created[0].id))
        .await
        .unwrap();
    assert!(serde_json::from_slice::<Value>(&cut.body).is_err());
    assert_eq!(server.fake().pending_faults(), 0);

    let bad = control(
        &server,
        Method::POST,
        "/__fake/faults",
        Some(json!([{"status": 500}, {"kind": "explode"}])),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error()["param"], "[1].kind");
    assert_eq!(server.fake().pending_faults(), 0, "all or nothing");
    // One fault alone, not in an array: its field is named without an index.
    let one = control(
        &server,
        Method::POST,
        "/__fake/faults",
        Some(json!({"kind": "explode"})),
    )
    .await;
    assert_eq!(one.error()["param"], "kind");
    control(
        &server,
        Method::POST,
        "/__fake/faults",
        Some(json!({"status": 500, "times": 5})),
    )
    .await;
    assert_eq!(
        control(&server, Method::DELETE, "/__fake/faults", None)
            .await
            .json()["cleared"],
        1
    );
    server.shutdown().await;
}

#[tokio::test]
async fn quota_set_and_cleared() {
    let server = server().await;
    let set = control(
        &server,
        Method::PUT,
        "/__fake/quota",
        Some(json!({"requests": 1, "per": "1m"})),
    )
    .await;
    assert_eq!(
        set.json()["quota"],
        json!({"requests": 1, "per": "1m0s", "text": "1/1m0s"})
    );
    assert_eq!(
        api(&server, Method::GET, INVITES)
            .await
            .unwrap()
            .conforms()
            .status,
        200
    );
    let limited = api(&server, Method::GET, INVITES).await.unwrap().conforms();
    assert_eq!(limited.status, 429);
    assert_eq!(limited.error()["code"], "rate_limit_exceeded");
    assert_eq!(
        control(&server, Method::DELETE, "/__fake/quota", None)
            .await
            .json(),
        json!({"quota": null})
    );
    assert_eq!(
        api(&server, Method::GET, INVITES).await.unwrap().status,
        200
    );
    // The log says what each was answered, so that a test can count the 429s.
    let log = control(&server, Method::GET, "/__fake/requests", None)
        .await
        .json();
    let statuses: Vec<&Value> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["status"])
        .collect();
    assert_eq!(statuses, [&json!(200), &json!(429), &json!(200)]);
    let answered: Vec<_> = server.fake().requests().iter().map(|r| r.status).collect();
    assert_eq!(
        answered,
        [200, 429, 200].map(|s| Some(http::StatusCode::from_u16(s).unwrap()))
    );
    let bad = control(
        &server,
        Method::PUT,
        "/__fake/quota",
        Some(json!({"requests": 1, "per": "soon"})),
    )
    .await;
    assert_eq!(
        (bad.status.as_u16(), bad.error()["param"].clone()),
        (400, json!("per"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn reset_returns_to_the_seed_and_quota_it_was_built_with() {
    let seed =
        Seed::from_json(r#"{"invites": [{"id": "invite-seeded", "email": "s@example.com"}]}"#)
            .unwrap();
    let fake = FakeInvites::builder()
        .admin_key(KEY)
        .seed(seed)
        .quota(100, std::time::Duration::from_secs(60))
        .build();
    let server = fake.start_server().await.unwrap();
    assert!(fake.get("invite-seeded").is_some());
    support::create(&fake, "extra@example.com").await;
    api(&server, Method::DELETE, &item("invite-seeded"))
        .await
        .unwrap();
    control(
        &server,
        Method::POST,
        "/__fake/faults",
        Some(json!({"status": 500})),
    )
    .await;
    control(&server, Method::DELETE, "/__fake/quota", None).await;
    let reset = control(&server, Method::POST, "/__fake/reset", None).await;
    assert_eq!(reset.json(), json!({"reset": true, "invites": 1}));
    let ids: Vec<String> = fake.invites().into_iter().map(|i| i.id).collect();
    assert_eq!(ids, ["invite-seeded"]);
    assert_eq!((fake.pending_faults(), fake.request_count()), (0, 0));
    assert_eq!(fake.quota().map(|q| q.requests), Some(100));
    server.shutdown().await;
}

#[tokio::test]
async fn refusals_are_typed() {
    let server = server().await;
    let routes = control(&server, Method::GET, "/__fake/", None).await;
    assert!(routes.json()["routes"].as_array().unwrap().len() >= 14);
    for (method, path, body, status, code) in [
        (Method::GET, "/__fake/nothing", None, 404, Value::Null),
        (Method::PUT, "/__fake/invites", None, 405, Value::Null),
        (
            Method::POST,
            "/__fake/invites",
            Some(json!({"emial": "a@example.com"})),
            400,
            json!("invalid_json"),
        ),
        (
            Method::POST,
            "/__fake/invites",
            Some(json!({"email": ""})),
            400,
            json!("invalid_value"),
        ),
        (
            Method::POST,
            "/__fake/faults",
            Some(json!("503")),
            400,
            json!("invalid_json"),
        ),
    ] {
        let reply = control(&server, method.clone(), path, body).await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{method} {path}: {:?}",
            reply.body
        );
        assert_eq!(reply.error()["type"], "fake_control_error");
        assert_eq!(reply.error()["code"], code, "{method} {path}");
    }
    let typo = control(
        &server,
        Method::POST,
        "/__fake/invites",
        Some(json!({"emial": "a"})),
    )
    .await;
    assert!(
        typo.error()["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `emial`")
    );
    let wrong = control(&server, Method::DELETE, "/__fake/reset", None).await;
    assert_eq!(wrong.header("allow"), "POST");
    server.shutdown().await;
}

#[tokio::test]
async fn in_process_the_same_routes_answer() {
    let fake = FakeInvites::new();
    let request = http::Request::post("/__fake/invites")
        .body(bytes::Bytes::from(
            r#"{"id": "invite-x", "email": "x@example.com"}"#,
        ))
        .unwrap();
    let reply = fake.service().oneshot(request).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(fake.get("invite-x").is_some());
}

#[tokio::test]
async fn serving_beyond_loopback_needs_a_token() {
    let mut config = ServerConfig::default();
    config.host = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    let err = FakeServer::serve_with(FakeInvites::new(), config)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("control token"), "{err}");
}
