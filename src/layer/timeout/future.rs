//! The future shared by both timeout layers.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;

use crate::BoxError;

pin_project! {
    /// Resolves to the inner result, or to the layer's timeout error once `sleep` fires.
    pub struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Sleep,
        after: Duration,
        on_timeout: fn(Duration) -> BoxError,
    }
}

impl<F> TimeoutFuture<F> {
    pub(crate) fn new(
        inner: F,
        sleep: Sleep,
        after: Duration,
        on_timeout: fn(Duration) -> BoxError,
    ) -> Self {
        Self {
            inner,
            sleep,
            after,
            on_timeout,
        }
    }
}

impl<F, T, E> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, BoxError>;

    #[inline]

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(result) = this.inner.poll(cx) {
            return Poll::Ready(result.map_err(Into::into));
        }
        match this.sleep.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err((this.on_timeout)(*this.after))),
            Poll::Pending => Poll::Pending,
        }
    }
}
