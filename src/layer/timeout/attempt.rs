//! `AttemptTimeoutLayer`: bounds one attempt.

use std::task::{Context, Poll};
use std::time::Duration;

use tower_layer::Layer;
use tower_service::Service;

use super::TimeoutFuture;
use crate::BoxError;

/// One attempt took longer than the attempt timeout. The request may have reached the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no response within the {0:?} attempt timeout")]
pub struct AttemptTimeoutError(pub Duration);

/// Fails an attempt with [`AttemptTimeoutError`] after a fixed time.
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

fn attempt_error(after: Duration) -> BoxError {
    Box::new(AttemptTimeoutError(after))
}

impl<S, R> Service<R> for AttemptTimeout<S>
where
    S: Service<R>,
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

    fn call(&mut self, request: R) -> Self::Future {
        let sleep = tokio::time::sleep(self.timeout);
        TimeoutFuture::new(self.inner.call(request), sleep, self.timeout, attempt_error)
    }
}
