//! `TotalTimeoutLayer`: bounds a whole call, retries and waits included.

use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

use super::future::{Expiry, TimeoutFuture};
use crate::BoxError;
use crate::layer::context::CallContext;

/// The whole call took longer than the total timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the call did not finish within the {0:?} total timeout")]
pub struct TotalTimeoutError(pub Duration);

/// When the call must be over, as set by the outermost [`TotalTimeoutLayer`]: layers below
/// read it so that they never start a wait that would pass it (the retry layer's backoff, the
/// rate limiter's wait, an attempt's timer).
///
/// ```
/// use std::time::Duration;
/// use bytes::Bytes;
/// use openai_invites::layer::{Deadline, TotalTimeoutLayer};
/// use tower::{ServiceBuilder, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// let echo_deadline = tower::service_fn(|request: http::Request<Bytes>| async move {
///     let left = Deadline::of(&request).map(|d| d.remaining());
///     Ok::<_, std::convert::Infallible>(left)
/// });
/// let svc = ServiceBuilder::new()
///     .layer(TotalTimeoutLayer::new(Duration::from_secs(30)))
///     .service(echo_deadline);
/// let left = svc.oneshot(http::Request::new(Bytes::new())).await.unwrap();
/// assert_eq!(left, Some(Duration::from_secs(30)));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline(pub Instant);

impl Deadline {
    /// The deadline of the call `request` belongs to, if a [`TotalTimeoutLayer`] set one.
    pub fn of<B>(request: &http::Request<B>) -> Option<Deadline> {
        CallContext::of(request)?.deadline().map(Deadline)
    }

    /// Time left from now (zero when passed).
    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}

/// Fails a call with [`TotalTimeoutError`] after a fixed time, and tells the layers below the
/// [`Deadline`].
///
/// ```
/// use std::time::Duration;
/// use bytes::Bytes;
/// use openai_invites::layer::{TotalTimeoutError, TotalTimeoutLayer};
/// use tower::{ServiceBuilder, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// let never = tower::service_fn(|_: http::Request<Bytes>| std::future::pending::<Result<http::Response<Bytes>, std::convert::Infallible>>());
/// let svc = ServiceBuilder::new().layer(TotalTimeoutLayer::new(Duration::from_secs(3))).service(never);
/// let err = svc.oneshot(http::Request::new(Bytes::new())).await.unwrap_err();
/// assert!(err.is::<TotalTimeoutError>());
/// # }
/// ```
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

impl<S, B> Service<http::Request<B>> for TotalTimeout<S>
where
    S: Service<http::Request<B>>,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = TotalTimeoutFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    #[inline]
    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let deadline = super::deadline_after(self.timeout);
        match CallContext::of(&request) {
            Some(context) => context.set_deadline(deadline, self.timeout),
            None => {
                let context = CallContext::default();
                context.set_deadline(deadline, self.timeout);
                request.extensions_mut().insert(context);
            }
        }
        TimeoutFuture::new(
            self.inner.call(request),
            tokio::time::sleep_until(deadline),
            Expiry::Call(self.timeout),
        )
    }
}

/// The future of [`TotalTimeout`]: the inner result, or [`TotalTimeoutError`] at the
/// deadline (the attempt timeout's future, standing for the call's deadline).
pub type TotalTimeoutFuture<F> = TimeoutFuture<F>;
