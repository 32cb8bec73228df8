//! Hostile peers on loopback: idle, stalled and surplus connections are closed or answered,
//! and a normal request still answers while it happens. (Memory under garbage is measured on
//! the binary, in `crates/openai-invites-fake/tests/abuse_memory.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use http::Method;
use openai_invites_mock::{FakeInvites, FakeServer, ServerConfig};
use support::{INVITES, call, wire};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How long past a timeout a close may come and still count (a loaded CI machine is slow).
const SLACK: Duration = Duration::from_secs(5);

async fn server_with(change: impl FnOnce(&mut ServerConfig)) -> FakeServer {
    let mut config = ServerConfig::default();
    change(&mut config);
    FakeServer::serve_with(FakeInvites::new(), config)
        .await
        .unwrap()
}

/// Waits for the server to close `stream`; returns what it sent first and when it closed.
async fn closed(mut stream: TcpStream, within: Duration) -> Option<(Vec<u8>, Instant)> {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some((received, Instant::now())),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// A normal request answers, and promptly (a generous bound, not a speed test).
async fn answers_normally(addr: SocketAddr, fake: &FakeInvites) {
    let request = call(Method::GET, INVITES).build(fake);
    let reply = tokio::time::timeout(SLACK, wire::http1(addr, request))
        .await
        .expect("a normal request hung")
        .unwrap();
    assert_eq!(reply.conforms().status, 200);
}

async fn connect_many(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut streams = Vec::with_capacity(n);
    for _ in 0..n {
        streams.push(TcpStream::connect(addr).await.unwrap());
    }
    streams
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_idle_connections_are_closed_at_the_idle_timeout() {
    let idle = Duration::from_millis(800);
    let server = server_with(|c| c.idle_timeout = idle).await;
    let opened = Instant::now();
    let streams = connect_many(server.addr(), 300).await;
    answers_normally(server.addr(), server.fake()).await;
    let waits: Vec<_> = streams
        .into_iter()
        .map(|s| tokio::spawn(closed(s, idle + SLACK)))
        .collect();
    let mut last = opened;
    for wait in waits {
        let (sent, at) = wait
            .await
            .unwrap()
            .expect("an idle connection was left open");
        assert!(
            sent.is_empty(),
            "an idle connection is closed without a word"
        );
        last = last.max(at);
    }
    let took = last - opened;
    assert!(took >= idle, "closed before the idle timeout: {took:?}");
    eprintln!("300 idle connections closed {took:?} after opening (idle timeout {idle:?})");
    answers_normally(server.addr(), server.fake()).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_bodies_get_408_and_trickled_heads_are_cut() {
    let timeout = Duration::from_millis(600);
    let server = server_with(|c| {
        c.body_read_timeout = timeout;
        c.header_read_timeout = timeout;
    })
    .await;
    let head = format!(
        "POST {INVITES} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"email\"",
        server.admin_key()
    );
    let mut mid_body = connect_many(server.addr(), 200).await;
    for stream in &mut mid_body {
        stream.write_all(head.as_bytes()).await.unwrap();
    }
    let started = Instant::now();
    let mut trickling = TcpStream::connect(server.addr()).await.unwrap();
    trickling
        .write_all(b"GET /v1/organization/invites HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        // One header byte every 100 ms: each read is activity, yet the head never completes.
        for byte in b"x-slow: ".iter().cycle().take(200) {
            if trickling.write_all(&[*byte]).await.is_err() {
                return Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the trickled head was never cut");
    });
    answers_normally(server.addr(), server.fake()).await;
    for stream in mid_body {
        let (sent, _) = closed(stream, timeout + SLACK)
            .await
            .expect("a stalled body kept its connection");
        let text = String::from_utf8_lossy(&sent);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("request_timeout"), "{text}");
    }
    let cut = trickle.await.unwrap() - started;
    assert!(cut >= timeout && cut <= timeout + SLACK, "{cut:?}");
    assert_eq!(
        server.fake().request_count(),
        1,
        "only the normal request reached the fake"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_over_the_cap_is_answered_not_left_hanging() {
    let server = server_with(|c| c.max_connections = 10).await;
    let held = connect_many(server.addr(), 10).await;
    // Give the accept loop time to take all ten before the eleventh arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let request = call(Method::GET, INVITES).build(server.fake());
    let refused = tokio::time::timeout(SLACK, wire::http1(server.addr(), request))
        .await
        .expect("a connection over the cap hung")
        .unwrap();
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("retry-after"), "1");
    assert_eq!(refused.error()["code"], "too_many_connections");
    drop(held);
    let deadline = Instant::now() + SLACK;
    loop {
        let request = call(Method::GET, INVITES).build(server.fake());
        let reply = wire::http1(server.addr(), request).await.unwrap();
        if reply.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the cap never freed up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.shutdown().await;
}
