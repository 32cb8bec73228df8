//! The client's stack, assembled in one place, in its fixed order.

use std::time::Duration;

use bytes::Bytes;
use tower::ServiceBuilder;
use tower::util::BoxCloneSyncService;

use crate::BoxError;
use crate::layer::rate_limit::RateLimitLayer;
use crate::layer::retry::{RetryLayer, RetryPolicy};
use crate::layer::{
    AttemptSpanLayer, AttemptTimeoutLayer, AuthLayer, OperationSpanLayer, TotalTimeoutLayer,
};
use crate::slot::Slot;

/// The type-erased HTTP service the client holds: HTTP in, HTTP out, bodies in memory. A
/// swapped transport is erased to it too.
pub type HttpService = BoxCloneSyncService<http::Request<Bytes>, http::Response<Bytes>, BoxError>;

/// A service that can be the client's transport (or sit in its stack): HTTP in, HTTP out, an
/// error that converts to [`BoxError`], cloneable (the stack is cloned per call) and usable
/// across threads. Every such service implements it; it only names the bounds.
pub trait StackService:
    tower_service::Service<
        http::Request<Bytes>,
        Response = http::Response<Bytes>,
        Error: Into<BoxError>,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> StackService for S where
    S: tower_service::Service<
            http::Request<Bytes>,
            Response = http::Response<Bytes>,
            Error: Into<BoxError>,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// Every part of the stack but the transport, as the builder settled them.
pub(crate) struct StackParts {
    pub(crate) per_call: Option<Slot>,
    pub(crate) total_timeout: Duration,
    /// `None` when retries are off.
    pub(crate) retry: Option<RetryPolicy>,
    /// `None` when rate limiting is off.
    pub(crate) rate_limit: Option<RateLimitLayer>,
    pub(crate) auth: AuthLayer,
    pub(crate) per_attempt: Option<Slot>,
    pub(crate) attempt_timeout: Duration,
}

/// The stack, outermost first. A part that is off, and a slot with no layer in it, is not in
/// the stack at all.
pub(crate) fn assemble<T>(transport: T, parts: StackParts) -> HttpService
where
    T: StackService,
{
    let stack = ServiceBuilder::new()
        .layer(OperationSpanLayer)
        .option_layer(parts.per_call)
        .layer(TotalTimeoutLayer::new(parts.total_timeout))
        .option_layer(parts.retry.map(RetryLayer::new))
        .option_layer(parts.rate_limit)
        .layer(parts.auth)
        .option_layer(parts.per_attempt)
        .layer(AttemptSpanLayer)
        .layer(AttemptTimeoutLayer::new(parts.attempt_timeout))
        .service(transport);
    HttpService::new(stack)
}
