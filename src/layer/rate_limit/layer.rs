//! `RateLimitLayer`: wait for a permit before each attempt; report 429 hints as cooldowns.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::StatusCode;
use openai_invites_core::{ApiError, headers};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::RateLimiter;
use crate::BoxError;

/// Applies a shared [`RateLimiter`] to every attempt.
#[derive(Clone)]
pub struct RateLimitLayer {
    limiter: Arc<dyn RateLimiter>,
    max_cooldown: Duration,
}

impl RateLimitLayer {
    /// Limits with `limiter`; a 429 hint longer than `max_cooldown` pauses callers only for
    /// `max_cooldown`.
    pub fn new(limiter: Arc<dyn RateLimiter>, max_cooldown: Duration) -> Self {
        Self {
            limiter,
            max_cooldown,
        }
    }
}

impl std::fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("max_cooldown", &self.max_cooldown)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`RateLimitLayer`].
#[derive(Clone)]
pub struct RateLimit<S> {
    inner: S,
    layer: RateLimitLayer,
}

impl<S> std::fmt::Debug for RateLimit<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimit { .. }")
    }
}

impl RateLimitLayer {
    /// A 429 with a retry hint pauses every caller (not an out-of-quota 429: waiting will not
    /// help that one, and it should not hold up the others).
    fn observe(&self, response: &http::Response<Bytes>) {
        if response.status() == StatusCode::TOO_MANY_REQUESTS
            && !ApiError::from_response(response).is_insufficient_quota()
        {
            if let Some(hint) = headers::retry_after(response.headers(), SystemTime::now()) {
                let pause = hint.min(self.max_cooldown);
                tracing::debug!(
                    pause_ms = pause.as_millis() as u64,
                    "429: pausing every caller"
                );
                self.limiter.cool_down(pause);
            }
        }
    }
}

impl<S> Service<http::Request<Bytes>> for RateLimit<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = RateLimitFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    #[inline]
    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        match self.layer.limiter.try_acquire() {
            // The common case: a permit now, no allocation.
            Ok(()) => RateLimitFuture {
                state: State::Calling {
                    future: self.inner.call(request),
                    layer: Some(self.layer.clone()),
                },
            },
            Err(wait) => {
                // Take the service that was polled ready; leave a clone for the next call.
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                let layer = self.layer.clone();
                let future: Waiting = Box::pin(async move {
                    // Sleeping holds no permit, so dropping this future mid-wait is free.
                    tokio::time::sleep(wait).await;
                    while let Err(wait) = layer.limiter.try_acquire() {
                        tokio::time::sleep(wait).await;
                    }
                    let response = inner.call(request).await.map_err(Into::into)?;
                    layer.observe(&response);
                    Ok(response)
                });
                RateLimitFuture {
                    state: State::Waiting { future },
                }
            }
        }
    }
}

type Waiting = Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, BoxError>> + Send>>;

pin_project! {
    /// The future of [`RateLimit`]: the inner call when a permit was free, or a boxed wait.
    pub struct RateLimitFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // A permit was taken at once; `layer` reads the response for 429 hints.
        Calling { #[pin] future: F, layer: Option<RateLimitLayer> },
        // Waiting for a permit (or a cooldown), then calling.
        Waiting { future: Waiting },
    }
}

impl<F, E> Future for RateLimitFuture<F>
where
    F: Future<Output = Result<http::Response<Bytes>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<http::Response<Bytes>, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Calling { future, layer } => {
                let response = ready!(future.poll(cx)).map_err(Into::into)?;
                if let Some(layer) = layer.take() {
                    layer.observe(&response);
                }
                Poll::Ready(Ok(response))
            }
            StateProj::Waiting { future } => future.as_mut().poll(cx),
        }
    }
}
