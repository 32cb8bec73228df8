//! The loopback face: real sockets, HTTP/1.1 and h2c, the body cap on the wire, shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use http::Method;
use openai_invites_core::{BaseUrl, InviteRequest, InviteRole, InviteUser, Operation};
use openai_invites_mock::{FakeInvites, FakeServer, Fault};
use serde_json::json;
use support::{INVITES, call, item, wire};

#[tokio::test]
async fn serves_the_api_over_http1() {
    let server = FakeServer::start().await.unwrap();
    let fake = server.fake().clone();
    assert_eq!(server.admin_key(), "sk-admin-test");
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}/v1", server.addr().port())
    );
    assert!(server.addr().ip().is_loopback());

    // A request the core crate encodes against the server's base URL.
    let base: BaseUrl = server.base_url().parse().unwrap();
    let op = InviteUser::new(
        InviteRequest::new("ana@example.com", InviteRole::Reader).without_projects(),
    );
    let mut request = op.encode(&base).unwrap();
    request
        .headers_mut()
        .insert("authorization", "Bearer sk-admin-test".parse().unwrap());
    let reply = wire::http1(server.addr(), request)
        .await
        .unwrap()
        .conforms();
    let id = reply.json()["id"].as_str().unwrap().to_owned();

    let got = wire::http1(server.addr(), call(Method::GET, &item(&id)).build(&fake))
        .await
        .unwrap()
        .conforms();
    assert_eq!(got.json()["email"], "ana@example.com");
    let list = wire::http1(
        server.addr(),
        call(Method::GET, &format!("{INVITES}?limit=1")).build(&fake),
    )
    .await
    .unwrap()
    .conforms();
    assert_eq!(list.json()["first_id"], id.as_str());
    let unauthorized = wire::http1(
        server.addr(),
        call(Method::GET, INVITES).unauthenticated().build(&fake),
    )
    .await
    .unwrap()
    .conforms();
    assert_eq!(unauthorized.status, 401);
    let deleted = wire::http1(server.addr(), call(Method::DELETE, &item(&id)).build(&fake))
        .await
        .unwrap()
        .conforms();
    assert_eq!(deleted.json()["deleted"], true);
    assert_eq!(fake.request_count(), 5);
    assert_eq!(
        fake.requests()[0].header("authorization"),
        Some("Bearer sk-a...[redacted]")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn serves_h2c() {
    let server = FakeServer::start().await.unwrap();
    let fake = server.fake().clone();
    let replies = wire::http2(
        server.addr(),
        vec![
            call(Method::POST, INVITES)
                .json(json!({"email": "a@example.com", "role": "owner"}))
                .build(&fake),
            call(Method::GET, INVITES).build(&fake),
            call(Method::PUT, INVITES).build(&fake),
        ],
    )
    .await;
    let replies: Vec<_> = replies.into_iter().map(|r| r.unwrap().conforms()).collect();
    assert_eq!(replies[0].status, 200);
    assert_eq!(replies[1].json()["data"][0]["email"], "a@example.com");
    assert_eq!(replies[2].status, 405);
    server.shutdown().await;
}

#[tokio::test]
async fn body_cap_on_the_wire() {
    let fake = FakeInvites::builder().max_body_bytes(1024).build();
    let server = fake.start_server().await.unwrap();
    let big = json!({"email": "a@example.com", "role": "reader", "pad": "x".repeat(64 * 1024)});
    let reply = wire::http1(
        server.addr(),
        call(Method::POST, INVITES).json(big).build(&fake),
    )
    .await
    .unwrap()
    .conforms();
    assert_eq!(reply.status, 413);
    assert!(fake.invites().is_empty());
    let recorded = &fake.requests()[0];
    assert!(recorded.body.is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_accepting() {
    let server = FakeServer::start().await.unwrap();
    let addr = server.addr();
    // An idle keep-alive connection does not hold shutdown up.
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .unwrap();
    drop(stream);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_request_finish() {
    let server = FakeServer::start().await.unwrap();
    let fake = server.fake().clone();
    fake.push_fault(Fault::delay(Duration::from_millis(100)));
    let addr = server.addr();
    let in_flight = tokio::spawn({
        let request = call(Method::GET, INVITES).build(&fake);
        async move { wire::http1(addr, request).await }
    });
    while fake.request_count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.shutdown().await;
    let reply = in_flight.await.unwrap().unwrap();
    assert_eq!(reply.conforms().status, 200);
}

#[tokio::test]
async fn drop_stops_the_server() {
    let server = FakeServer::start().await.unwrap();
    let addr = server.addr();
    drop(server);
    // The accept task is aborted; give the runtime a moment to run the abort.
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the server still accepts connections after being dropped");
}
