//! A typed, middleware-based client for the OpenAI organization invites admin API.
//!
//! Each operation ([`ListInvites`], [`InviteUser`], [`RetrieveInvite`], [`DeleteInvite`]) is a
//! value from [`openai_invites_core`]; the [`Client`] pushes it through a tower stack
//! (tracing, timeouts, retry with backoff, rate limiting, authentication; see [`layer`]) over hyper-util + rustls, and decodes
//! the answer into a model or a typed [`Error`].
//!
//! # Build a client and call the API
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_invites::{Client, InviteRequest, InviteRole, ProjectRole};
//!
//! let client = Client::builder().from_env().build()?; // OPENAI_ADMIN_KEY, ...
//! let invite = client
//!     .invite_user(
//!         InviteRequest::new("ana@example.com", InviteRole::Reader)
//!             .with_project("proj_abc", ProjectRole::Member),
//!     )
//!     .await?;
//! println!("invited {} as {}", invite.email, invite.id);
//! # Ok(()) }
//! ```
//!
//! # Swap the transport (tests)
//!
//! Any `tower::Service<http::Request<Bytes>, Response = http::Response<Bytes>>` can stand in
//! for the network, e.g. the in-process fake of `openai-invites-mock`:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_invites::{Client, InviteRequest, InviteRole};
//! use openai_invites_mock::FakeInvites;
//!
//! let fake = FakeInvites::new();
//! let client = Client::builder()
//!     .admin_key(fake.admin_key())
//!     .transport(fake.service())
//!     .build()?;
//! let invite = client.invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader)).await?;
//! assert_eq!(client.retrieve_invite(&invite.id).await?.email, "ana@example.com");
//! assert_eq!(fake.invites().len(), 1);
//! # Ok(()) }
//! ```
//!
//! # Add a layer
//!
//! Per-call layers run once per call; per-attempt layers run on every attempt and see the
//! authentication headers already set:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use openai_invites::Client;
//! use openai_invites_mock::FakeInvites;
//!
//! let attempts = Arc::new(AtomicUsize::new(0));
//! let counter = attempts.clone();
//! let fake = FakeInvites::new();
//! let client = Client::builder()
//!     .admin_key(fake.admin_key())
//!     .transport(fake.service())
//!     .layer_per_attempt(tower::layer::layer_fn(move |inner| {
//!         let counter = counter.clone();
//!         tower::util::MapRequest::new(inner, move |request: http::Request<bytes::Bytes>| {
//!             counter.fetch_add(1, Ordering::Relaxed);
//!             request
//!         })
//!     }))
//!     .build()?;
//! client.list_invites(Default::default()).await?;
//! assert_eq!(attempts.load(Ordering::Relaxed), 1);
//! # Ok(()) }
//! ```

mod builder;
mod call;
mod client;
mod error;
pub mod layer;
mod pagination;
mod stack;
pub mod transport;

pub use builder::{
    ClientBuilder, DEFAULT_REQUESTS_PER_SECOND, ENV_ADMIN_KEY, ENV_BASE_URL, ENV_ORG_ID,
    ENV_PROJECT_ID,
};
pub use call::Call;
pub use client::Client;
pub use error::{BoxError, BuildError, Error, ErrorKind};
pub use layer::rate_limit::{Quota, RateLimiter};
pub use layer::retry::{Jitter, RetryBudget, RetryPolicy};
pub use stack::{HttpService, StackService};

pub use openai_invites_core as core;
pub use openai_invites_core::{
    ApiError, BaseUrl, DeleteInvite, ErrorBody, Invite, InviteDeleteResponse, InviteListResponse,
    InviteProject, InviteRequest, InviteRole, InviteStatus, InviteUser, ListInvites, Operation,
    OperationMeta, ProjectRole, RetrieveInvite,
};
