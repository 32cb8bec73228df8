//! Helpers shared by the integration tests: requests to the in-process face, and the
//! conformance check every body goes through.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use openai_invites_mock::FakeInvites;
use serde_json::{Value, json};
use tower::ServiceExt;

pub mod control;

/// The spec copy kept by the core crate.
const SPEC: &str = include_str!("../../../openai-invites-core/tests/fixtures/openapi-invites.json");

struct Schemas {
    invite: jsonschema::Validator,
    list: jsonschema::Validator,
    deleted: jsonschema::Validator,
    error: jsonschema::Validator,
}

static SCHEMAS: LazyLock<Schemas> = LazyLock::new(|| {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    let compile = |name: &str| {
        let schema = json!({
            "$ref": format!("#/components/schemas/{name}"),
            "components": spec["components"].clone(),
        });
        jsonschema::validator_for(&schema).unwrap()
    };
    Schemas {
        invite: compile("Invite"),
        list: compile("InviteListResponse"),
        deleted: compile("InviteDeleteResponse"),
        error: compile("ErrorResponse"),
    }
});

/// How many bodies were checked against the spec (so a test can prove the check ran).
pub static CONFORMANCE_CHECKS: AtomicUsize = AtomicUsize::new(0);

/// Which spec schema a body must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    Invite,
    List,
    Deleted,
    Error,
}

/// Panics unless `body` satisfies `schema`.
pub fn assert_conforms(schema: Schema, body: &Value) {
    let s = &*SCHEMAS;
    let validator = match schema {
        Schema::Invite => &s.invite,
        Schema::List => &s.list,
        Schema::Deleted => &s.deleted,
        Schema::Error => &s.error,
    };
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{schema:?} does not validate {body}: {errors:?}"
    );
    CONFORMANCE_CHECKS.fetch_add(1, Ordering::Relaxed);
}

/// The schema a fake's answer must satisfy, from its status and `object`.
pub fn schema_of(status: StatusCode, body: &Value) -> Schema {
    if !status.is_success() {
        return Schema::Error;
    }
    match body["object"].as_str() {
        Some("organization.invite") => Schema::Invite,
        Some("list") => Schema::List,
        Some("organization.invite.deleted") => Schema::Deleted,
        other => panic!("a success body with object {other:?}: {body}"),
    }
}

/// A decoded answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .to_str()
            .unwrap()
    }

    /// The error envelope's inner object.
    pub fn error(&self) -> Value {
        self.json()["error"].clone()
    }

    /// Checks the headers every answer carries and the body against the spec.
    pub fn conforms(self) -> Self {
        assert_eq!(self.header("content-type"), "application/json");
        let id = self.header("x-request-id");
        assert!(
            id.len() == 36
                && id.starts_with("req_")
                && id[4..].chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
        self.header("openai-processing-ms").parse::<u64>().unwrap();
        let body = self.json();
        assert_conforms(schema_of(self.status, &body), &body);
        self
    }
}

/// A request to the in-process face, with the right key unless `headers` says otherwise.
pub struct Call {
    request: http::request::Builder,
    body: Bytes,
    authorized: bool,
}

pub fn call(method: Method, path_and_query: &str) -> Call {
    Call {
        request: http::Request::builder().method(method).uri(path_and_query),
        body: Bytes::new(),
        authorized: true,
    }
}

impl Call {
    pub fn json(mut self, body: Value) -> Self {
        self.request = self.request.header("content-type", "application/json");
        self.body = Bytes::from(body.to_string());
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.header(name, value);
        self
    }

    pub fn unauthenticated(mut self) -> Self {
        self.authorized = false;
        self
    }

    pub fn build(self, fake: &FakeInvites) -> http::Request<Bytes> {
        let mut request = self.request;
        if self.authorized {
            request = request.header("authorization", format!("Bearer {}", fake.admin_key()));
        }
        request.body(self.body).unwrap()
    }

    /// Sends it and checks the answer's conformance.
    pub async fn send(self, fake: &FakeInvites) -> Reply {
        self.send_raw(fake).await.conforms()
    }

    /// Sends it without checking the answer.
    pub async fn send_raw(self, fake: &FakeInvites) -> Reply {
        let request = self.build(fake);
        let response = fake.service().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }
}

pub const INVITES: &str = "/v1/organization/invites";

pub fn item(id: &str) -> String {
    format!(
        "{INVITES}/{}",
        openai_invites_core::ops::encode_component(id)
    )
}

/// Creates an invite through the API and returns its JSON.
pub async fn create(fake: &FakeInvites, email: &str) -> Value {
    let reply = call(Method::POST, INVITES)
        .json(json!({"email": email, "role": "reader"}))
        .send(fake)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.json()
}

/// Minimal hyper clients for the loopback face.
pub mod wire {
    use std::net::SocketAddr;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tokio::net::TcpStream;

    use super::Reply;

    /// Sends one request over a fresh HTTP/1.1 connection. `Err` is what hyper says when the
    /// connection fails (e.g. closed before a response).
    pub async fn http1(
        addr: SocketAddr,
        request: http::Request<Bytes>,
    ) -> Result<Reply, hyper::Error> {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        finish(sender.send_request(with_host(addr, request)).await?).await
    }

    /// Sends requests one after another over one HTTP/2 (h2c, prior knowledge) connection.
    pub async fn http2(
        addr: SocketAddr,
        requests: Vec<http::Request<Bytes>>,
    ) -> Vec<Result<Reply, hyper::Error>> {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection);
        let mut out = Vec::new();
        for request in requests {
            let (mut parts, body) = request.into_parts();
            parts.uri = format!("http://{addr}{}", parts.uri).parse().unwrap();
            let reply = match sender
                .send_request(http::Request::from_parts(parts, Full::new(body)))
                .await
            {
                Ok(response) => finish(response).await,
                Err(e) => Err(e),
            };
            out.push(reply);
        }
        out
    }

    fn with_host(addr: SocketAddr, request: http::Request<Bytes>) -> http::Request<Full<Bytes>> {
        let (mut parts, body) = request.into_parts();
        parts
            .headers
            .insert("host", addr.to_string().parse().unwrap());
        http::Request::from_parts(parts, Full::new(body))
    }

    async fn finish(
        response: http::Response<hyper::body::Incoming>,
    ) -> Result<Reply, hyper::Error> {
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}
