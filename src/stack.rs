//! The client's stack, assembled in one place, in its fixed order.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tower::ServiceBuilder;

use crate::BoxError;
use crate::layer::metrics::{AttemptMetricsLayer, Recorder};
use crate::layer::rate_limit::RateLimitLayer;
use crate::layer::retry::{RetryLayer, RetryPolicy};
use crate::layer::{
    AttemptSpanLayer, AttemptTimeoutLayer, AuthLayer, OperationSpanLayer, TotalTimeoutLayer,
};
use crate::slot::Slot;
use crate::transport::StackService;

/// Every part of the stack but the transport, as the builder settled them.
pub(crate) struct StackParts {
    pub(crate) per_call: Option<Slot>,
    pub(crate) total_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: RateLimitLayer,
    pub(crate) auth: AuthLayer,
    pub(crate) per_attempt: Option<Slot>,
    pub(crate) attempt_timeout: Duration,
    /// The client's instruments (nothing without the `metrics` feature).
    pub(crate) recorder: Recorder,
}

/// A call in the stack.
pub(crate) type StackFuture =
    Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, BoxError>> + Send>>;

/// The assembled stack, shared by every clone of the client. A call clones the stack (which
/// only bumps reference counts) and boxes its future, once; nothing in the stack runs until
/// that future is first polled.
#[derive(Clone)]
pub(crate) struct Stack(Arc<dyn Fn(http::Request<Bytes>) -> StackFuture + Send + Sync>);

impl Stack {
    fn new<S>(stack: S) -> Self
    where
        S: StackService<Error = BoxError>,
    {
        Self(Arc::new(move |request| {
            let mut stack = stack.clone();
            Box::pin(async move {
                poll_fn(|cx| stack.poll_ready(cx)).await?;
                let call = stack.call(request);
                // Not kept across the wait: the future holds the call alone from here on.
                drop(stack);
                call.await
            })
        }))
    }

    /// Sends `request` through the stack.
    pub(crate) fn call(&self, request: http::Request<Bytes>) -> StackFuture {
        (self.0)(request)
    }
}

/// The stack, outermost first. A slot with no layer in it is not in the stack at all.
pub(crate) fn assemble<T>(transport: T, parts: StackParts) -> Stack
where
    T: StackService,
{
    let stack = ServiceBuilder::new()
        .layer(OperationSpanLayer)
        .option_layer(parts.per_call)
        .layer(TotalTimeoutLayer::new(parts.total_timeout))
        .layer(RetryLayer::new(parts.retry).recorder(parts.recorder.clone()))
        .layer(parts.rate_limit.recorder(parts.recorder.clone()))
        .layer(parts.auth)
        .option_layer(parts.per_attempt)
        .layer(AttemptSpanLayer)
        .layer(AttemptMetricsLayer::new(parts.recorder))
        .layer(AttemptTimeoutLayer::new(parts.attempt_timeout))
        .service(transport);
    Stack::new(stack)
}
