//! `TotalTimeoutLayer`: bounds a whole call, retries and waits included.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tower_layer::Layer;
use tower_service::Service;

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

impl<S> Service<http::Request<Bytes>> for TotalTimeout<S>
where
    S: Service<http::Request<Bytes>>,
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
    fn call(&mut self, mut request: http::Request<Bytes>) -> Self::Future {
        let deadline = super::deadline_after(self.timeout);
        let context = request.extensions().get::<CallContext>().cloned();
        match &context {
            Some(context) => context.set_deadline(deadline, self.timeout),
            None => {
                request.extensions_mut().insert(Deadline(deadline));
            }
        }
        TotalTimeoutFuture {
            inner: self.inner.call(request),
            sleep: None,
            deadline,
            timeout: self.timeout,
            context,
        }
    }
}

pin_project! {
    /// The future of [`TotalTimeout`]: the inner result, or [`TotalTimeoutError`] at the
    /// deadline.
    ///
    /// Its timer is armed only when needed. Inside the client, while an attempt is pending, the
    /// attempt's timer already fires by the call's deadline (see
    /// [`AttemptTimeoutLayer`](super::AttemptTimeoutLayer)); each poll checks whether such a
    /// timer was armed during that very poll, and only when none was (a backoff, a wait for the
    /// rate limiter or for a service's readiness, a layer of yours waiting) does this future
    /// arm its own. So the common call registers one timer, not two. A total timeout earlier
    /// than the call's deadline (one of yours in a slot, nested in another) always arms its own.
    ///
    /// The check assumes the attempt is polled by the task that polls this future, as the
    /// client's layers do; a layer of yours that moves attempts to another task and keeps
    /// waiting after they end should bound its own waits.
    pub struct TotalTimeoutFuture<F> {
        #[pin]
        inner: F,
        // Boxed and made on first need: most calls never need it.
        sleep: Option<Pin<Box<Sleep>>>,
        deadline: Instant,
        timeout: Duration,
        context: Option<CallContext>,
    }
}

impl<F, T, E> Future for TotalTimeoutFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let pass = this.context.as_ref().map(CallContext::begin_pass);
        if let Poll::Ready(result) = this.inner.poll(cx) {
            return Poll::Ready(result.map_err(Into::into));
        }
        if let (Some(context), Some(pass)) = (this.context.as_ref(), pass) {
            // A covering attempt timer fires by the call's deadline, which is the outermost
            // total timeout's: it stands for this one only if this one is not earlier (a total
            // timeout of yours in the per-attempt slot, or the client's under a longer one of
            // yours in the per-call slot, arms its own timer).
            let covered_by = context.deadline();
            if context.covered(pass) && covered_by.is_some_and(|d| d <= *this.deadline) {
                return Poll::Pending;
            }
        }
        let deadline = *this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Box::new(TotalTimeoutError(*this.timeout)))),
            Poll::Pending => Poll::Pending,
        }
    }
}
