//! A stateful fake of the OpenAI organization invites admin API, for tests.
//!
//! It keeps invites in memory with the real service's semantics (ids, cursor pagination, 404s,
//! 409 on a duplicate, expiry, auth) and wire shapes (every body validates against the OpenAPI
//! spec), misbehaves on request through scripted [`Fault`]s, and records every request. The
//! [`FakeInvites`] handle documents the behaviour, and the choices made where the real service
//! is not documented.
//!
//! Three faces over one handle, plus record and replay:
//!
//! - **In process**: [`FakeInvites::service`] is a `tower::Service<http::Request<Bytes>>`; swap
//!   it in as a client's transport, no sockets.
//! - **Loopback**: [`FakeServer`] serves the same fake with hyper on `127.0.0.1:0` (HTTP/1.1
//!   and h2c), for tests that must cross a real socket; bounded under abuse ([`ServerConfig`]).
//! - **Binary**: `openai-invites-fake` (package `openai-invites-fake`) serves until
//!   interrupted, and tests in any language drive it through the [control API](control).
//! - **Record and replay**: a [`RecordLayer`] around a real transport keeps each exchange on a
//!   [`Cassette`]; [`Cassette::replayer`] answers from it later (see [`cassette`]).
//!
//! # In process, as a transport
//!
//! ```
//! use openai_invites_core::{BaseUrl, InviteRequest, InviteRole, InviteUser, ListInvites, Operation};
//! use openai_invites_mock::{FakeError, FakeInvites, Fault, Match};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeInvites::new();
//! let base = BaseUrl::parse("http://fake.invalid/v1")?; // only the path is read
//! let bearer = format!("Bearer {}", fake.admin_key());
//! // What a client's auth layer would do, then the transport: the fake's service.
//! let send = |mut request: http::Request<bytes::Bytes>| {
//!     request.headers_mut().insert("authorization", bearer.parse().unwrap());
//!     fake.service().oneshot(request)
//! };
//!
//! // The classic ambiguous failure: the invite is created, then the connection drops.
//! fake.push_fault(Fault::drop_connection().apply_first().matching(Match::Operation(InviteUser::META)));
//! let op = InviteUser::new(InviteRequest::new("bo@example.com", InviteRole::Owner));
//! assert_eq!(send(op.encode(&base)?).await.unwrap_err(), FakeError::ConnectionDropped);
//!
//! let page = ListInvites::decode(send(ListInvites::new().encode(&base)?).await?)?;
//! assert_eq!(page.data[0].email, "bo@example.com");
//! assert_eq!(fake.requests()[0].fault.as_deref(), Some("drop connection (applied first)"));
//! # Ok(())
//! # }
//! ```
//!
//! # On loopback
//!
//! ```
//! use openai_invites_mock::{FakeServer, Fault};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = FakeServer::start().await?; // base_url(): http://127.0.0.1:PORT/v1
//! server.fake().push_fault(Fault::html(503, "<html>upstream down</html>"));
//!
//! // Any HTTP client works; a raw HTTP/1.1 exchange keeps this example dependency-free.
//! let mut stream = tokio::net::TcpStream::connect(server.addr()).await?;
//! let head = format!(
//!     "GET /v1/organization/invites HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
//!      connection: close\r\n\r\n",
//!     server.admin_key(),
//! );
//! stream.write_all(head.as_bytes()).await?;
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer).await?;
//! assert!(answer.starts_with("HTTP/1.1 503"));
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # As a process
//!
//! ```sh
//! cargo run -p openai-invites-fake -- --port 8080   # or: cargo install openai-invites-fake
//! # prints http://127.0.0.1:8080/v1 first, then serves until Ctrl-C; --help lists the flags
//! curl -X POST http://127.0.0.1:8080/__fake/faults -d '{"status": 503, "operation": "listInvites"}'
//! ```
//!
//! From a Rust test of another program (a command line, a service in another language),
//! [`FakeProcess`] starts the binary on a free port, reads its base URL and calls the control
//! API. It finds the binary through `OPENAI_INVITES_FAKE`, builds it from the repository's
//! sources when this crate comes from them, and otherwise runs the one on `PATH`
//! (`cargo install openai-invites-fake`).

mod answer;
mod auth;
pub mod cassette;
mod clock;
pub mod control;
mod control_error;
mod demo;
mod envelope;
mod fake;
mod fake_builder;
mod fault;
mod log;
mod process;
mod quota;
mod received;
mod reception;
mod routes;
mod scripted;
mod seed;
mod server;
mod service;
mod store;
mod validate;

pub use cassette::{
    Cassette, CassetteError, RecordFuture, RecordLayer, Recorder, ReplayError, Replayer,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use control::CONTROL_PREFIX;
pub use control_error::ControlError;
pub use fake::{
    DEFAULT_ADMIN_KEY, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_INVITES, DEFAULT_PROJECT, FakeInvites,
};
pub use fake_builder::FakeInvitesBuilder;
pub use fault::{Fault, IntoStatus, Match};
pub use log::{
    DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_LOGGED_BODY_BYTES, MAX_RECORDED_REQUESTS, RecordedRequest,
};
pub use process::{FAKE_BINARY, FAKE_BINARY_ENV, FakeProcess, FakeProcessError};
pub use quota::RequestQuota;
pub use routes::BASE_PATH;
pub use seed::{Seed, SeedInvite};
pub use server::{
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, FakeServer, ServerConfig,
};
pub use service::{FakeError, FakeService, ResponseFuture};
pub use store::INVITE_LIFETIME_SECS;
