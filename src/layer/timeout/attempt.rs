//! `AttemptTimeoutLayer`: bounds one attempt.

use std::task::{Context, Poll};
use std::time::Duration;

use tower_layer::Layer;
use tower_service::Service;

use super::TimeoutFuture;
use super::future::Expiry;
use crate::BoxError;
use crate::layer::context::CallContext;

/// One attempt took longer than the attempt timeout. The request may have reached the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no response within the {0:?} attempt timeout")]
pub struct AttemptTimeoutError(pub Duration);

/// Fails an attempt with [`AttemptTimeoutError`] after a fixed time.
///
/// An attempt never outlives its call: when the call's [`Deadline`](super::Deadline) comes
/// first, the attempt's timer is set to it, and the attempt fails there with
/// [`TotalTimeoutError`](super::TotalTimeoutError), as the call does.
///
/// ```
/// use std::time::Duration;
/// use openai_invites::layer::AttemptTimeoutLayer;
/// use openai_invites::layer::retry::{RetryLayer, RetryPolicy};
/// use tower::ServiceBuilder;
///
/// # let transport = tower::service_fn(|_: http::Request<bytes::Bytes>| async {
/// #     Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::new()))
/// # });
/// // Each attempt gets 5 s; a slow one is retried (for idempotent operations).
/// let stack = ServiceBuilder::new()
///     .layer(RetryLayer::new(RetryPolicy::default()))
///     .layer(AttemptTimeoutLayer::new(Duration::from_secs(5)))
///     .service(transport);
/// # let _ = stack;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AttemptTimeoutLayer {
    timeout: Duration,
}

impl AttemptTimeoutLayer {
    /// Each attempt may take at most `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

impl<S> Layer<S> for AttemptTimeoutLayer {
    type Service = AttemptTimeout<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AttemptTimeout {
            inner,
            timeout: self.timeout,
        }
    }
}

/// The service made by [`AttemptTimeoutLayer`].
#[derive(Debug, Clone)]
pub struct AttemptTimeout<S> {
    inner: S,
    timeout: Duration,
}

impl<S, B> Service<http::Request<B>> for AttemptTimeout<S>
where
    S: Service<http::Request<B>>,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = TimeoutFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    #[inline]
    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let own = super::deadline_after(self.timeout);
        let bound = CallContext::of(&request).and_then(CallContext::bound);
        let (deadline, expiry) = match bound {
            Some((call, total)) if call < own => (call, Expiry::Call(total)),
            _ => (own, Expiry::Attempt(self.timeout)),
        };
        let sleep = tokio::time::sleep_until(deadline);
        TimeoutFuture::new(self.inner.call(request), sleep, expiry)
    }
}
