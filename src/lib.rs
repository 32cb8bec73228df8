//! A typed, middleware-based client for the OpenAI organization invites admin API.
//!
//! Each operation ([`ListInvites`], [`InviteUser`], [`RetrieveInvite`], [`DeleteInvite`]) is a
//! value from the sans-IO core crate, [`openai_invites_core`](crate::core) (re-exported as
//! [`core`]); the [`Client`] pushes it through one tower stack and decodes the answer into a
//! model or a typed [`Error`]. The stack, outermost first ([`layer`] has one folder per layer):
//!
//! ```text
//! Client::send(op)              encode; decode the answer          Call<O>
//!   operation span              one per call                        layer::trace
//!   [layer_per_call slot]       your layers, once per call          slot
//!   total timeout               the whole call                      layer::timeout
//!   retry                       policy, backoff, reconciliation     layer::retry
//!     rate limit                shared limiter, 429 cooldowns       layer::rate_limit
//!     auth                      admin key, organization, project    layer::auth
//!     [layer_per_attempt slot]  your layers, every attempt          slot
//!     attempt span              one per attempt                     layer::trace
//!     attempt metrics           `metrics` feature only              layer::metrics
//!     attempt timeout           one attempt                         layer::timeout
//!     transport                 hyper-util + rustls, or yours       transport
//! ```
//!
//! The examples below use this crate's re-exports of [`http`] and [`bytes`]; the ones that swap
//! the transport or add a layer also use `tower` and the test kit, `openai-invites-mock`.
//!
//! # Build a client and call the API
//!
//! ```no_run
//! use openai_invites::{Client, InviteRequest, InviteRole, InviteStatus, ListInvites, ProjectRole};
//!
//! async fn onboard() -> Result<(), Box<dyn std::error::Error>> {
//!     let client = Client::builder().from_env().build()?; // OPENAI_ADMIN_KEY (never OPENAI_API_KEY)
//!
//!     // Provisioning jobs: never a second pending invite, however often the job runs.
//!     let ana = InviteRequest::new("ana@example.com", InviteRole::Reader)
//!         .with_project("proj_abc", ProjectRole::Member);
//!     let ensured = client.ensure_invited(ana).await?;
//!     println!("{}: created = {}", ensured.invite.id, ensured.outcome.created());
//!
//!     // The four operations of the API, one request each.
//!     let bo = client.invite_user(InviteRequest::new("bo@example.com", InviteRole::Owner)).await?;
//!     let page = client.list_invites(ListInvites::new().limit(20)).await?;
//!     let again = client.retrieve_invite(&bo.id).await?;
//!     client.delete_invite(&again.id).await?;
//!
//!     // Every page, collected: one request per 100 invites.
//!     let pending = client.all_invites(InviteStatus::Pending).await?;
//!     println!("{} on the first page, {} pending", page.data.len(), pending.len());
//!     Ok(())
//! }
//! ```
//!
//! What each costs in requests, retries aside: the four operations one each (an ambiguous
//! create is settled by reading the invites, one request per 100, never by sending it again
//! blind); [`Client::ensure_invited`] reads every page for each email before it creates (3
//! emails in a 250-invite organization: 9 list requests); [`Client::all_invites`] and
//! [`Client::list_all_invites`] one per 100 invites. For a whole cohort, the
//! `openai-invites-roster` crate reads the organization once and then sends one request per
//! change (`plan(&roster, &read_invites(&client).await?, options)`, then
//! `Applier::new(client).apply(&plan)`).
//!
//! # Behind a proxy, with a private CA
//!
//! The proxy variables (`HTTPS_PROXY`, `NO_PROXY`...) and `SSL_CERT_FILE` / `SSL_CERT_DIR` are
//! honoured as curl honours them, read once at `build()` (see [`environment`]); or set them
//! in code. Errors name the host and port they could not reach, a rejected certificate fails
//! after one attempt, and the key and proxy credentials are scrubbed from every error:
//!
//! ```no_run
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_invites::Client;
//!
//! let client = Client::builder()
//!     .from_env()
//!     .proxy("http://ana:s3cret@proxy.corp:3128") // or HTTPS_PROXY; `no_proxy()` for none
//!     .add_root_certificates_pem(std::fs::read("/etc/corp/ca.pem")?)
//!     .build()?;
//! assert_eq!(client.proxy(), Some("http://[redacted]@proxy.corp:3128"));
//! # Ok(()) }
//! ```
//!
//! # What the service said
//!
//! [`Call::with_info`] returns the output with a [`CallInfo`]: the request id, the
//! `x-ratelimit-*` values, attempts and elapsed time.
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
//! authentication headers already set. Off-the-shelf tower and tower-http layers fit as they
//! are; yours see an in-memory [`slot::Body`]:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use openai_invites::{Client, http, slot::Body};
//! use openai_invites_mock::FakeInvites;
//!
//! let attempts = Arc::new(AtomicUsize::new(0));
//! let counter = attempts.clone();
//! let fake = FakeInvites::new();
//! let client = Client::builder()
//!     .admin_key(fake.admin_key())
//!     .transport(fake.service())
//!     .layer_per_call(tower::limit::ConcurrencyLimitLayer::new(16))
//!     .layer_per_attempt(tower::layer::layer_fn(move |inner| {
//!         let counter = counter.clone();
//!         tower::util::MapRequest::new(inner, move |request: http::Request<Body>| {
//!             counter.fetch_add(1, Ordering::Relaxed);
//!             request
//!         })
//!     }))
//!     .build()?;
//! client.list_invites(Default::default()).await?;
//! assert_eq!(attempts.load(Ordering::Relaxed), 1);
//! # Ok(()) }
//! ```

mod build_error;
mod builder;
mod call;
mod client;
pub mod defaults;
mod ensure;
pub mod environment;
mod error;
mod failure;
mod info;
pub mod layer;
mod pagination;
mod scrub;
pub mod slot;
mod stack;
pub mod transport;

pub use bytes;
pub use http;
/// The error type of the tower stack: any layer may fail with anything (tower's own).
pub use tower::BoxError;

pub use build_error::BuildError;
pub use builder::{
    ClientBuilder, ENV_ADMIN_KEY, ENV_API_KEY, ENV_BASE_URL, ENV_ORG_ID, ENV_PROJECT_ID,
};
pub use call::{Call, WithInfo};
pub use client::Client;
/// The default client-side rate, in requests per second (and the burst): see
/// [`defaults::REQUESTS_PER_SECOND`].
pub use defaults::REQUESTS_PER_SECOND as DEFAULT_REQUESTS_PER_SECOND;
pub use ensure::{Ensured, EnsuredInvite};
pub use error::Error;
pub use failure::ErrorKind;
/// What reads [`Client::list_all_invites`]'s stream (`try_next`, `try_collect`, `try_filter`...),
/// re-exported so that no other crate is needed.
#[doc(no_inline)]
pub use futures_util::TryStreamExt;
pub use info::CallInfo;
pub use layer::rate_limit::{ParseRateError, Quota, RateLimiter, parse_rate};
pub use layer::reconcile::{AlreadyInvited, ReconcilePolicy, Reconciled};
pub use layer::retry::{Jitter, RetryBudget, RetryPolicy};
pub use transport::{HttpService, StackService};

pub use openai_invites_core as core;
pub use openai_invites_core::{
    ApiError, BaseUrl, DeleteInvite, ErrorBody, Invite, InviteDeleteResponse, InviteFilter,
    InviteListResponse, InviteProject, InviteRequest, InviteRole, InviteStatus, InviteUser,
    ListInvites, Mismatch, Operation, OperationMeta, ParseProjectError, ProjectRole,
    RetrieveInvite, same_email,
};
