//! The middleware of the client stack, one folder each, each a public `Layer` + `Service`
//! pair, so you can assemble your own stack from the same parts (see
//! `examples/custom_stack.rs`).
//!
//! The client's order is fixed, and written once, in the client's assembly (users add layers
//! in the two named [slots](crate::slot)); a new fixed layer is a folder here, one line in
//! that assembly and its builder setting:
//!
//! ```text
//! Client::send(op)                 typed: encode, then decode the response
//!   OperationSpanLayer             one span per call
//!   [layer_per_call slot]
//!   TotalTimeoutLayer              the whole call
//!   RetryLayer                     loop + policy (backoff, shared budget) + reconcile
//!     RateLimitLayer               shared limiter, per attempt; 429 cooldowns
//!     AuthLayer                    bearer admin key, organization / project, user agent
//!     [layer_per_attempt slot]
//!     AttemptSpanLayer             one span per attempt
//!     attempt metrics              `metrics` feature only (crate-private)
//!     AttemptTimeoutLayer          one attempt
//!     transport                    HyperTransport, or any swapped service
//! ```
//!
//! Every layer reads what it needs about the operation from the request's
//! [`OperationMeta`](crate::OperationMeta) (name, span name, method, url template,
//! idempotent), so a new operation changes nothing here. The layers of one call share its
//! deadline through the request's extensions ([`Deadline::of`]); the retry loop counts the
//! attempts (the rate-limit layer says when one is admitted past its wait) and knows, from the
//! one classification of each outcome, whether an attempt may have reached the service, so
//! no tracing layer carries meaning another layer needs.
//! [`reconcile`] is not a layer: it is what the retry loop does to settle an ambiguous create.
//!
//! ```
//! use std::time::Duration;
//! use openai_invites::layer::{AttemptSpanLayer, AttemptTimeoutLayer, OperationSpanLayer, TotalTimeoutLayer};
//! use tower::ServiceBuilder;
//!
//! // The client's timeouts and spans around a transport of your own.
//! let transport = tower::service_fn(|_: http::Request<bytes::Bytes>| async {
//!     Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::from_static(b"{}")))
//! });
//! let stack = ServiceBuilder::new()
//!     .layer(OperationSpanLayer)
//!     .layer(TotalTimeoutLayer::new(Duration::from_secs(30)))
//!     .layer(AttemptSpanLayer)
//!     .layer(AttemptTimeoutLayer::new(Duration::from_secs(5)))
//!     .service(transport);
//! # let _ = stack;
//! ```

mod auth;
pub(crate) mod classify;
pub(crate) mod context;
pub(crate) mod metrics;
pub mod rate_limit;
pub mod reconcile;
pub mod retry;
pub mod timeout;
pub mod trace;

pub use auth::{AdminKey, Auth, AuthLayer, DEFAULT_USER_AGENT};
pub use rate_limit::{RateLimitLayer, RateLimiter, Throttled};
pub use retry::{RetryLayer, RetryPolicy};
pub use timeout::{
    AttemptTimeout, AttemptTimeoutError, AttemptTimeoutLayer, Deadline, TotalTimeout,
    TotalTimeoutError, TotalTimeoutLayer,
};
pub use trace::{AttemptSpan, AttemptSpanLayer, OperationSpan, OperationSpanLayer};
