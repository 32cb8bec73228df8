//! `RateLimitLayer`: wait for a permit before each attempt; report 429 hints as cooldowns.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::StatusCode;
use openai_invites_core::headers;
use tower::ServiceExt;
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

impl<S> Service<http::Request<Bytes>> for RateLimit<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The permit is taken in the call future, so a caller that is dropped while waiting
        // never holds one.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let inner = self.inner.clone();
        let layer = self.layer.clone();
        Box::pin(async move {
            while let Err(wait) = layer.limiter.try_acquire() {
                tokio::time::sleep(wait).await;
            }
            let response = inner.oneshot(request).await.map_err(Into::into)?;
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                if let Some(hint) = headers::retry_after(response.headers(), SystemTime::now()) {
                    let pause = hint.min(layer.max_cooldown);
                    tracing::debug!(
                        pause_ms = pause.as_millis() as u64,
                        "429: pausing every caller"
                    );
                    layer.limiter.cool_down(pause);
                }
            }
            Ok(response)
        })
    }
}
