//! Models and sans-IO operations for the OpenAI organization invites admin API.
//!
//! This crate says *what* goes over the wire and nothing about *how*: each operation
//! ([`ListInvites`], [`InviteUser`], [`RetrieveInvite`], [`DeleteInvite`]) is a value that
//! encodes itself into an `http::Request<Bytes>` and decodes an `http::Response<Bytes>`.
//! No runtime, no transport: the `openai-invites` client pushes these requests through its
//! tower stack, and any other HTTP stack can do the same.
//!
//! ```
//! use bytes::Bytes;
//! use openai_invites_core::{BaseUrl, ListInvites, Operation, ResponseError};
//!
//! let base = BaseUrl::parse("https://api.openai.com/v1")?;
//! let request = ListInvites::new().limit(2).encode(&base)?;
//! assert_eq!(request.method(), http::Method::GET);
//! assert_eq!(request.uri(), "https://api.openai.com/v1/organization/invites?limit=2");
//! assert_eq!(ListInvites::META.name, "listInvites");
//!
//! // ... send it with any HTTP client, then:
//! let body = r#"{"object":"list","data":[{"object":"organization.invite","id":"invite-abc",
//!     "email":"user@example.com","role":"owner","status":"accepted","created_at":1711471533,
//!     "expires_at":1711471533,"accepted_at":1711471533}],
//!     "first_id":"invite-abc","last_id":"invite-abc","has_more":false}"#;
//! let page = ListInvites::decode(http::Response::new(Bytes::from(body)))?;
//! assert_eq!(page.data[0].email, "user@example.com");
//! assert_eq!(page.next_cursor(), None);
//!
//! // A non-2xx answer is a typed error carrying the envelope and the request id.
//! let not_found = http::Response::builder()
//!     .status(404)
//!     .header("x-request-id", "req_42")
//!     .body(Bytes::from(r#"{"error":{"message":"No invite","type":"invalid_request_error","param":null,"code":null}}"#))?;
//! match ListInvites::decode(not_found) {
//!     Err(ResponseError::Api(api)) => {
//!         assert_eq!(api.status, 404);
//!         assert_eq!(api.request_id.as_deref(), Some("req_42"));
//!     }
//!     other => panic!("unexpected: {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ops::OPERATIONS`] lists every operation's [`OperationMeta`] (name, method, URL template,
//! idempotency): the one table that paths are built from and that the fake routes by.
//! [`reconcile`] settles an ambiguous create or delete by reading; [`provision`] decides what
//! making sure one email has an invite takes; [`redact`] keeps secrets out of any text.
//! [`same_email`] is the one rule for "the same person" (spaces around aside, any case), and
//! [`InviteProject`] reads and writes memberships as people type them (`proj_a:owner`).
//!
//! Decoding tolerates the drift listed in the project's API facts: the legacy `invited_at`
//! name, null or absent timestamps, absent `projects`, unknown enum values (kept as
//! `Unknown(String)`), unknown fields, and a missing `has_more`. Nothing here performs I/O.

mod base_url;
mod error;
pub mod headers;
mod models;
mod operation;
pub mod ops;
pub mod provision;
pub mod reconcile;
pub mod redact;
mod template;

pub use base_url::{BaseUrl, BaseUrlError, DEFAULT_BASE_URL, without_userinfo};
pub use error::{
    ApiError, DecodeError, EncodeError, ErrorBody, ErrorEnvelope, INVITE_ALREADY_EXISTS,
    MAX_BODY_SNIPPET, ResponseError, decode_json,
};
pub use models::{
    Invite, InviteDeleteResponse, InviteFilter, InviteListResponse, InviteProject, InviteRequest,
    InviteRole, InviteStatus, Mismatch, ParseProjectError, ProjectRole, email_key,
    is_plausible_email, same_email,
};
pub use operation::{Operation, OperationMeta, Reconciliation};
pub use ops::{DeleteInvite, InviteUser, ListInvites, RetrieveInvite};
