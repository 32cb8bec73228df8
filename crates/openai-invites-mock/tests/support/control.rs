//! Requests to the control API and the API of a loopback fake, for the control tests.

use http::Method;
use openai_invites_mock::{FakeInvites, FakeServer};
use serde_json::Value;

use super::{Reply, call, wire};

pub const KEY: &str = "sk-admin-CONTROLTEST-0123456789";
pub const TOKEN: &str = "control-token-0123456789";

/// A control request (no admin key: the control API does not ask for one).
pub async fn control(
    server: &FakeServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = call(method, path).unauthenticated();
    if let Some(body) = body {
        request = request.json(body);
    }
    wire::http1(server.addr(), request.build(server.fake()))
        .await
        .unwrap()
}

pub async fn api(server: &FakeServer, method: Method, path: &str) -> Result<Reply, hyper::Error> {
    wire::http1(server.addr(), call(method, path).build(server.fake())).await
}

pub async fn server() -> FakeServer {
    FakeInvites::builder()
        .admin_key(KEY)
        .build()
        .start_server()
        .await
        .unwrap()
}
