//! A stateful fake of the OpenAI organization invites admin API, for tests.
//!
//! Test a client or a service against this instead of the real API: it keeps invites in
//! memory with real semantics (ids, cursor pagination, 404s, conflicts, expiry, auth), answers
//! with the real wire shapes (every body validates against the OpenAPI spec), and misbehaves
//! on request through scripted [`Fault`]s. Every request is recorded for assertions.
//!
//! Three faces over one [`FakeInvites`] handle, plus record and replay:
//!
//! 1. **In process**: [`FakeInvites::service`] is a `tower::Service<http::Request<Bytes>>`; swap
//!    it in as a client's transport, no sockets.
//! 2. **Loopback**: [`FakeServer`] serves the same fake with hyper on `127.0.0.1:0`
//!    (HTTP/1.1 and h2c), for tests that must cross a real socket.
//! 3. **Binary**: `cargo run -p openai-invites-mock --bin openai-invites-fake -- --port 8080
//!    --admin-key sk-admin-test` serves until interrupted and prints its base URL as the first
//!    line of stdout (`--port 0` picks a free port). With its [control API](#the-control-api)
//!    a test in any language can seed invites, script faults and read the log.
//! 4. **Record and replay**: a [`RecordLayer`] around a real transport keeps each exchange on
//!    a [`Cassette`] (a JSON file, credentials never stored); [`Cassette::replayer`] answers
//!    from it later, and fails loudly on a request it does not hold.
//!
//! # In process, as a transport
//!
//! ```
//! use openai_invites_core::{
//!     BaseUrl, InviteRequest, InviteRole, InviteStatus, InviteUser, ListInvites, Operation,
//! };
//! use openai_invites_mock::{FakeError, FakeInvites, Fault, Match};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeInvites::new();
//! let base = BaseUrl::parse("http://fake.invalid/v1")?; // only the path is read
//! let bearer = format!("Bearer {}", fake.admin_key());
//!
//! // What a client's auth layer would do, then the transport: the fake's service.
//! let send = |mut request: http::Request<bytes::Bytes>| {
//!     request.headers_mut().insert("authorization", bearer.parse().unwrap());
//!     fake.service().oneshot(request)
//! };
//!
//! let op = InviteUser::new(InviteRequest::new("ana@example.com", InviteRole::Reader));
//! let invite = InviteUser::decode(send(op.encode(&base)?).await?)?;
//! assert_eq!(invite.status, InviteStatus::Pending);
//! assert_eq!(invite.projects[0].id, "proj_default"); // `projects` omitted: default project
//!
//! // The classic ambiguous failure: the invite is created, then the connection drops.
//! fake.push_fault(Fault::drop_connection().apply_first().matching(Match::Operation("inviteUser")));
//! let op = InviteUser::new(InviteRequest::new("bo@example.com", InviteRole::Owner));
//! assert_eq!(send(op.encode(&base)?).await.unwrap_err(), FakeError::ConnectionDropped);
//!
//! let page = ListInvites::decode(send(ListInvites::new().limit(10).encode(&base)?).await?)?;
//! let emails: Vec<_> = page.data.iter().map(|i| i.email.as_str()).collect();
//! assert_eq!(emails, ["bo@example.com", "ana@example.com"]); // newest first
//!
//! let log = fake.requests();
//! assert_eq!(log.len(), 3);
//! assert_eq!(log[1].fault.as_deref(), Some("drop connection (applied first)"));
//! assert_eq!(log[0].header("authorization"), Some("Bearer sk-a...[redacted]"));
//! # Ok(())
//! # }
//! ```
//!
//! # On loopback
//!
//! ```
//! use openai_invites_core::{BaseUrl, Operation, RetrieveInvite};
//! use openai_invites_mock::{FakeServer, Fault};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = FakeServer::start().await?;
//! let base: BaseUrl = server.base_url().parse()?; // http://127.0.0.1:PORT/v1
//! server.fake().push_fault(Fault::html(503, "<html>upstream down</html>"));
//!
//! // Any HTTP client works; a raw HTTP/1.1 exchange keeps this example dependency-free.
//! let path = RetrieveInvite::new("invite-abc").encode(&base)?.uri().path().to_owned();
//! let mut stream = tokio::net::TcpStream::connect(server.addr()).await?;
//! let head = format!(
//!     "GET {path} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
//!     server.addr(),
//!     server.admin_key(),
//! );
//! stream.write_all(head.as_bytes()).await?;
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer).await?;
//! assert!(answer.starts_with("HTTP/1.1 503"));
//! assert!(answer.contains("<html>upstream down</html>"));
//! assert_eq!(server.fake().requests()[0].fault.as_deref(), Some("status 503"));
//!
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Behaviour, and the choices made where the real service is not documented
//!
//! Routes live under the base path `/v1` (the base URL ends with it), exactly as the spec lists
//! them: `GET`/`POST /v1/organization/invites`, `GET`/`DELETE
//! /v1/organization/invites/{invite_id}`. The id segment is percent-decoded (`a%2Fb` is the id
//! `a/b`).
//!
//! Checks run in this order, the first failing one answers: 401 auth, 429 quota, 404 / 405
//! route, 413 body cap, then the operation's own checks. Every error is the OpenAI envelope
//! `{"error": {"message", "type", "param", "code"}}` with all four fields present:
//!
//! | case | status | `type` | `param` | `code` |
//! |---|---|---|---|---|
//! | no `Authorization: Bearer` key | 401 | `invalid_request_error` | null | null |
//! | wrong key (shown masked, e.g. `sk-****…cret`) | 401 | `invalid_request_error` | null | `invalid_api_key` |
//! | quota exceeded | 429 | `requests` | null | `rate_limit_exceeded` |
//! | unknown path (`Invalid URL (GET /v1/x)`) | 404 | `invalid_request_error` | null | null |
//! | known path, other method (with `allow`) | 405 | `invalid_request_error` | null | null |
//! | body over the cap (default 1 MiB) | 413 | `invalid_request_error` | null | `request_too_large` |
//! | body not JSON, not an object, or `content-type` not JSON | 400 | `invalid_request_error` | null | null |
//! | invalid field | 400 | `invalid_request_error` | `email`, `role`, `projects`, `projects[1].role`, … | null |
//! | `limit` not an integer in 1..=100 | 400 | `invalid_request_error` | `limit` | null |
//! | `after` names no invite | 400 | `invalid_request_error` | `after` | null |
//! | unknown invite id | 404 | `invalid_request_error` | `invite_id` | null |
//! | a pending invite for that email exists | 409 | `invalid_request_error` | `email` | `invite_already_exists` |
//! | store full (default 10 000 invites) | 400 | `invalid_request_error` | null | `invite_limit_reached` |
//! | deleting an accepted invite | 400 | `invalid_request_error` | `invite_id` | `invite_already_accepted` |
//!
//! Every response carries `content-type: application/json` (unless a fault sets another),
//! `x-request-id: req_<32 hex>` and `openai-processing-ms`.
//!
//! Our choices (API-FACTS.md calls these unconfirmed or says nothing):
//!
//! - **Ids** are `invite-` and 24 random ASCII letters and digits.
//! - **Expiry**: `expires_at` is 7 days after `created_at` ([`INVITE_LIFETIME_SECS`]); a
//!   pending invite whose `expires_at` has passed reads as `expired` (status is computed on
//!   every read from the injectable [`Clock`]). `accepted_at` is null until accepted.
//! - **Projects**: absent (or `null`) joins the default project ([`DEFAULT_PROJECT`], as
//!   `member`, configurable), `[]` joins none, a list joins exactly those.
//! - **Validation**: `email` must be plausible (one `@`, a dotted domain, no whitespace),
//!   `role` exactly `owner` or `reader`, each project `{id: non-empty, role: member|owner}`;
//!   unknown fields are ignored. An absent `content-type` is tolerated; a present non-JSON one
//!   is refused.
//! - **Duplicates**: a second *pending* invite for the same email (case-insensitive) is a 409;
//!   once the first is accepted or expired, a new one is allowed.
//! - **Deleting an accepted invite** is a 400; deleting a pending or expired one succeeds and
//!   answers `{"object":"organization.invite.deleted","id":…,"deleted":true}`.
//! - **Order**: lists are newest first, stable (creation order, not timestamp, breaks ties).
//! - **Cursor**: `after` must name an invite the fake issued; one deleted since still works
//!   (it keeps its place), so a loop that deletes while it pages does not break. An empty
//!   `after` is ignored. `first_id`/`last_id` are null on an empty page, `has_more` is always
//!   present.
//! - **Quota** (off by default, [`FakeInvitesBuilder::quota`]): a fixed window of `requests` per
//!   `per`, opened by the first authenticated request, on tokio's clock. Every answer in the
//!   window carries `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests` and
//!   `x-ratelimit-reset-requests` (Go-style duration, e.g. `750ms`, `6m0s`); a refusal adds
//!   `retry-after-ms` and `retry-after` (whole seconds, rounded up).
//! - **Auth**: only `Authorization: Bearer <key>` counts; the key is never echoed in full, and
//!   the request log redacts `authorization` to `Bearer sk-a...[redacted]` (four characters of
//!   a key of 12 or more, else `[redacted]`).
//! - **Caps**: bodies over `max_body_bytes` are never buffered whole (413), the store holds at
//!   most `max_invites` invites, the log keeps the last [`MAX_RECORDED_REQUESTS`].
//!
//! # Faults
//!
//! [`FakeInvites::push_fault`] queues a [`Fault`]; the first queued fault that
//! [matches](Match) a request fires, `times` times (default once), then normal behaviour
//! resumes. Faults fire before auth and routing (they stand for a proxy or an outage). By
//! default the store never sees a faulted request; [`Fault::apply_first`] applies it as soon as
//! it arrives, before any delay, which is how the "created, then the connection dropped"
//! case is scripted. On loopback a dropped connection is closed with no response at all; in
//! process it is [`FakeError::ConnectionDropped`].
//!
//! # The control API
//!
//! Both loopback servers (and the in-process service) answer under [`CONTROL_PREFIX`]
//! (`/__fake/`), which the real API (under `/v1`) can never reach. Control requests need no
//! admin key, meet no fault and are not logged. By default anyone who can reach the fake may
//! use it, which is right for loopback; a fake shared by several people gets a token
//! ([`FakeInvitesBuilder::control_token`], `--control-token`) that every control request must
//! carry in `x-fake-control-token`, and serving anywhere but loopback requires one. Bodies and
//! answers are JSON; a refusal is an envelope with `type` `fake_control_error` and a `code`
//! (`invalid_json`, `invalid_value` with the field in `param`, `duplicate_id`,
//! `unknown_invite`, `control_token_required`, `invalid_control_token`).
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /__fake/` | | `{"routes": [...]}` |
//! | `GET /__fake/invites` | | `{"object": "list", "data": [Invite]}`, newest first |
//! | `POST /__fake/invites` | a [seed](SeedInvite): `{"invites": [...]}`, an array, or one invite | the seeded invites; all or nothing (409 on a taken id) |
//! | `DELETE /__fake/invites` | | `{"deleted": n}` |
//! | `POST /__fake/invites/{id}/accept`, `.../expire` | | the invite (404 if unknown) |
//! | `GET /__fake/faults` | | the queued faults as JSON |
//! | `POST /__fake/faults` | a [fault](Fault::from_json), or an array of them | `{"queued": n, "pending": m}`; all or nothing |
//! | `DELETE /__fake/faults` | | `{"cleared": n}` |
//! | `GET /__fake/requests` | | the log: `{"total", "kept", "bytes", "data": [{"method", "path", "query", "operation", "headers", "body", "json", "body_len", "body_truncated", "fault", "at_ms"}]}` |
//! | `DELETE /__fake/requests` | | `{"cleared": n}` |
//! | `GET`/`PUT`/`DELETE /__fake/quota` | `PUT`: `{"requests": 5, "per": "1s"}` | `{"quota": {"requests", "per", "text"}}` or `{"quota": null}` |
//! | `POST /__fake/reset` | | back to the seed and quota it started with: no faults, an empty log |
//!
//! ```sh
//! FAKE=http://127.0.0.1:8080
//! curl -X POST $FAKE/__fake/invites -d '{"invites": [
//!   {"id": "invite-ana", "email": "ana@example.com", "role": "owner",
//!    "projects": [{"id": "proj_a", "role": "member"}], "created_at": 1700000000},
//!   {"id": "invite-bo", "email": "bo@example.com", "status": "accepted"}]}'
//! curl -X POST $FAKE/__fake/invites/invite-ana/expire
//! curl -X POST $FAKE/__fake/faults -d '{"status": 503, "times": 2, "operation": "listInvites",
//!   "headers": {"retry-after": "1"}}'
//! curl -X POST $FAKE/__fake/faults -d '{"kind": "drop_connection", "apply_first": true,
//!   "operation": "inviteUser", "delay_ms": 100}'
//! curl $FAKE/__fake/requests          # authorization shows as "Bearer sk-a...[redacted]"
//! curl -X PUT $FAKE/__fake/quota -d '{"requests": 5, "per": "1s"}'
//! curl -X POST $FAKE/__fake/reset
//! ```
//!
//! `tests/python/drive_the_fake.py` in this crate does all of that from Python (standard
//! library only); CI runs it.
//!
//! # The binary's flags
//!
//! `openai-invites-fake --help` describes each one: `--port` (0), `--host` (127.0.0.1;
//! anything else needs `--control-token`), `--admin-key` (`sk-admin-test`), `--control-token`
//! (16+ characters), `--seed FILE` (the seed JSON above, also what `reset` returns to),
//! `--quota N/PERIOD` (e.g. `100/1m`, see [`RequestQuota`]), `--max-connections` (512),
//! `--idle-timeout` (30s), `--header-read-timeout` (10s), `--body-read-timeout` (30s),
//! `--max-body-bytes` (1 MiB), `--max-logged-body-bytes` (64 KiB), `--max-log-bytes` (64 MiB),
//! `--max-invites` (10 000).
//!
//! # Bounded under abuse
//!
//! - The request log keeps at most [`MAX_RECORDED_REQUESTS`] entries, at most
//!   [`DEFAULT_MAX_LOGGED_BODY_BYTES`] of each body and [`DEFAULT_MAX_LOG_BYTES`] in all,
//!   oldest forgotten first; an unauthenticated request keeps no body (on loopback it is not
//!   even buffered). Measured: 400 unauthenticated 1 MiB POSTs leave the binary's RSS
//!   unchanged within a few KiB (`tests/abuse_memory.rs` allows 32 MiB).
//! - The admin key and the control token (when at least 8 characters long) are replaced by
//!   `[redacted]` wherever they appear in the log, the control API's answers and the fake's
//!   own answers, whatever header, query or body a client put them in. A scripted fault's
//!   body is sent as scripted.
//! - Loopback connections ([`ServerConfig`]): one that sits idle for the idle timeout (30 s),
//!   or whose request head is not complete within the header-read timeout (10 s) of its first
//!   byte, is closed; a body slower than the body-read timeout (30 s) gets a 408 and the
//!   connection closes. Past [`DEFAULT_MAX_CONNECTIONS`] connections, one more is answered
//!   `503 too_many_connections` with `retry-after: 1` and closed at once.

mod answer;
mod auth;
mod cassette;
mod clock;
mod control;
mod envelope;
mod fake;
mod fake_builder;
mod fault;
mod log;
mod quota;
mod reception;
mod routes;
mod scripted;
mod secrets;
mod server;
mod service;
mod store;
mod validate;

pub use cassette::{
    Cassette, CassetteError, RecordFuture, RecordLayer, Recorder, ReplayError, Replayer,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use control::{CONTROL_PREFIX, ControlError, Seed, SeedInvite};
pub use fake::{
    DEFAULT_ADMIN_KEY, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_INVITES, DEFAULT_PROJECT, FakeInvites,
};
pub use fake_builder::FakeInvitesBuilder;
pub use fault::{Fault, IntoStatus, Match};
pub use log::{
    DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_LOGGED_BODY_BYTES, MAX_RECORDED_REQUESTS, RecordedRequest,
};
pub use quota::RequestQuota;
pub use routes::BASE_PATH;
pub use server::{
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, FakeServer, ServerConfig,
};
pub use service::{FakeError, FakeService, ResponseFuture};
pub use store::INVITE_LIFETIME_SECS;
