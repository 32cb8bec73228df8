//! The middleware of the client stack, each a public `Layer` + `Service` pair, so you can
//! assemble your own stack from the same parts.
//!
//! The client's order is fixed (users add layers in the two named slots):
//!
//! ```text
//! Client::send(op)                 typed: encode, then decode the response
//!   OperationSpanLayer             one span per call
//!   [layer_per_call slot]
//!   TotalTimeoutLayer              whole call, default 600 s
//!   RetryLayer                     classifiers + backoff + shared retry budget
//!     RateLimitLayer               shared limiter, per attempt; 429 cooldowns
//!     AuthLayer                    bearer admin key, organization / project, user agent
//!     [layer_per_attempt slot]
//!     AttemptSpanLayer             one span per attempt
//!     AttemptTimeoutLayer          default 60 s
//!     transport                    HyperTransport, or any swapped service
//! ```

mod auth;
pub(crate) mod context;
pub mod rate_limit;
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
