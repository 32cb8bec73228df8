//! `TotalTimeoutLayer`: bounds a whole call, retries and waits included.

use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

use super::TimeoutFuture;
use crate::BoxError;
use crate::layer::context::CallContext;

/// The whole call took longer than the total timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the call did not finish within the {0:?} total timeout")]
pub struct TotalTimeoutError(pub Duration);

/// When the call must be over, set by [`TotalTimeoutLayer`] so that a retry layer below never
/// waits past it. Read it with [`Deadline::of`]: inside the client it travels in the call's
/// shared context (one allocation fewer per call and per retry copy), in a stack of your own
/// as a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline(pub Instant);

impl Deadline {
    /// The deadline of the call `request` belongs to, if a [`TotalTimeoutLayer`] set one.
    pub fn of<B>(request: &http::Request<B>) -> Option<Deadline> {
        Self::in_extensions(request.extensions())
    }

    pub(crate) fn in_extensions(extensions: &http::Extensions) -> Option<Deadline> {
        extensions
            .get::<CallContext>()
            .and_then(CallContext::deadline)
            .map(Deadline)
            .or_else(|| extensions.get::<Deadline>().copied())
    }

    /// Time left from now (zero when passed).
    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}

/// Fails a call with [`TotalTimeoutError`] after a fixed time and tells inner layers the deadline.
#[derive(Debug, Clone, Copy)]
pub struct TotalTimeoutLayer {
    timeout: Duration,
}

impl TotalTimeoutLayer {
    /// The whole call may take at most `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

impl<S> Layer<S> for TotalTimeoutLayer {
    type Service = TotalTimeout<S>;
    fn layer(&self, inner: S) -> Self::Service {
        TotalTimeout {
            inner,
            timeout: self.timeout,
        }
    }
}

/// The service made by [`TotalTimeoutLayer`].
#[derive(Debug, Clone)]
pub struct TotalTimeout<S> {
    inner: S,
    timeout: Duration,
}

fn total_error(after: Duration) -> BoxError {
    Box::new(TotalTimeoutError(after))
}

impl<S> Service<http::Request<Bytes>> for TotalTimeout<S>
where
    S: Service<http::Request<Bytes>>,
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

    fn call(&mut self, mut request: http::Request<Bytes>) -> Self::Future {
        let sleep = tokio::time::sleep(self.timeout);
        let deadline = sleep.deadline();
        match request.extensions().get::<CallContext>() {
            Some(context) => context.set_deadline(deadline),
            None => {
                request.extensions_mut().insert(Deadline(deadline));
            }
        }
        TimeoutFuture::new(self.inner.call(request), sleep, self.timeout, total_error)
    }
}
