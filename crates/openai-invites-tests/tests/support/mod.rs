//! Shared test helpers: clients wired to the fake, and a tracing recorder.
#![allow(dead_code)]

pub mod proxy;
pub mod recorder;
pub mod tls_server;

use bytes::Bytes;
use openai_invites::{Client, ClientBuilder};
use openai_invites_mock::{FakeInvites, FakeServer};

/// A transport that never answers.
pub fn never_answers() -> impl tower::Service<
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

/// A builder for the fake's in-process face (no sockets).
pub fn in_process_builder(fake: &FakeInvites) -> ClientBuilder {
    Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
}

/// A client over the in-process face of a new fake.
pub fn in_process() -> (FakeInvites, Client) {
    let fake = FakeInvites::new();
    let client = in_process_builder(&fake).build().unwrap();
    (fake, client)
}

/// A builder for a loopback server.
pub fn loopback_builder(server: &FakeServer) -> ClientBuilder {
    Client::builder()
        .base_url(&server.base_url())
        .admin_key(server.admin_key())
}

/// A client over a new loopback server.
pub async fn loopback() -> (FakeServer, Client) {
    let server = FakeServer::start().await.unwrap();
    let client = loopback_builder(&server).build().unwrap();
    (server, client)
}

/// No network variable set: a client that ignores the machine's proxies and `SSL_CERT_*`.
pub fn no_env(_: &str) -> Option<String> {
    None
}

/// A source of variables from pairs.
pub fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}
