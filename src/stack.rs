//! The client's stack, assembled in one place, in its fixed order.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use pin_project_lite::pin_project;
use tower::ServiceBuilder;
use tower_service::Service;

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
            Box::pin(InStack::Ready {
                stack: stack.clone(),
                request: Some(request),
            })
        }))
    }

    /// Sends `request` through the stack.
    pub(crate) fn call(&self, request: http::Request<Bytes>) -> StackFuture {
        (self.0)(request)
    }
}

pin_project! {
    /// One call in the stack: the stack's readiness, then the stack's future in its place. An
    /// enum rather than an `async` block, which would keep the stack and the request beside
    /// the call's future for the whole call (captured values share no room with later
    /// state): a third more to allocate and to copy per call.
    #[project = InStackProj]
    enum InStack<S>
    where
        S: Service<http::Request<Bytes>>,
    {
        Ready { stack: S, request: Option<http::Request<Bytes>> },
        Calling { #[pin] call: S::Future },
    }
}

impl<S> Future for InStack<S>
where
    S: StackService<Error = BoxError>,
{
    type Output = Result<http::Response<Bytes>, BoxError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project() {
                InStackProj::Ready { stack, request } => {
                    ready!(stack.poll_ready(cx))?;
                    let Some(request) = request.take() else {
                        return Poll::Ready(Err("stack future polled after completion".into()));
                    };
                    let call = stack.call(request);
                    // The stack is dropped here: the future holds the call alone from now on.
                    self.set(InStack::Calling { call });
                }
                InStackProj::Calling { call } => return call.poll(cx),
            }
        }
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
