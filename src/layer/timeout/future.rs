//! The future of both timeouts: the inner result, or the timeout error its timer stands for.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;

use super::{AttemptTimeoutError, TotalTimeoutError};
use crate::BoxError;

/// Which deadline a timer stands for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Expiry {
    /// The attempt's own timeout.
    Attempt(Duration),
    /// The call's deadline: the total timeout's, or an attempt's when the call's comes first
    /// (the attempt fails as the call would).
    Call(Duration),
}

impl Expiry {
    fn error(self) -> BoxError {
        match self {
            Self::Attempt(after) => Box::new(AttemptTimeoutError(after)),
            Self::Call(after) => Box::new(TotalTimeoutError(after)),
        }
    }
}

pin_project! {
    /// Resolves to the inner result, or to a timeout error once `sleep` fires.
    pub struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Sleep,
        expiry: Expiry,
    }
}

impl<F> TimeoutFuture<F> {
    pub(super) fn new(inner: F, sleep: Sleep, expiry: Expiry) -> Self {
        Self {
            inner,
            sleep,
            expiry,
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
            Poll::Ready(()) => Poll::Ready(Err(this.expiry.error())),
            Poll::Pending => Poll::Pending,
        }
    }
}
