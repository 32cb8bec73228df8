//! Assembles the client's tower stack in its fixed order.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tower::util::BoxCloneSyncService;
use tower_layer::Layer;

use crate::BoxError;
use crate::layer::rate_limit::{RateLimitLayer, RateLimiter};
use crate::layer::retry::{RetryLayer, RetryPolicy};
use crate::layer::{
    AttemptSpanLayer, AttemptTimeoutLayer, AuthLayer, OperationSpanLayer, TotalTimeoutLayer,
};

/// The type-erased HTTP service every slot of the stack speaks.
pub type HttpService = BoxCloneSyncService<http::Request<Bytes>, http::Response<Bytes>, BoxError>;

/// A service that can sit in the stack: HTTP in, HTTP out, an error that converts to
/// [`BoxError`], cloneable (the stack is cloned per call) and usable across threads. Every such
/// service implements it; it only names the bounds that layers, slots and transports share.
pub trait StackService:
    tower_service::Service<
        http::Request<Bytes>,
        Response = http::Response<Bytes>,
        Error: Into<BoxError>,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> StackService for S where
    S: tower_service::Service<
            http::Request<Bytes>,
            Response = http::Response<Bytes>,
            Error: Into<BoxError>,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// A user layer, erased so the builder and the client stay non-generic.
pub(crate) type SlotLayer = Arc<dyn Fn(HttpService) -> HttpService + Send + Sync>;

/// Wraps any fitting tower layer as a [`SlotLayer`].
pub(crate) fn slot_layer<L>(layer: L) -> SlotLayer
where
    L: Layer<HttpService> + Send + Sync + 'static,
    L::Service: StackService,
{
    Arc::new(move |inner| {
        BoxCloneSyncService::new(
            tower::util::MapErrLayer::new(Into::into).layer(layer.layer(inner)),
        )
    })
}

/// What the stack needs besides the transport.
pub(crate) struct StackParts {
    pub(crate) auth: AuthLayer,
    pub(crate) attempt_timeout: Duration,
    pub(crate) total_timeout: Duration,
    pub(crate) per_call: Vec<SlotLayer>,
    pub(crate) per_attempt: Vec<SlotLayer>,
    /// `None` when retries are disabled.
    pub(crate) retry: Option<RetryPolicy>,
    /// Caps 429 cooldowns (the retry policy's `max_retry_after`, even with retries off).
    pub(crate) max_cooldown: Duration,
    /// `None` when rate limiting is disabled.
    pub(crate) rate_limiter: Option<Arc<dyn RateLimiter>>,
}

fn apply(slot: &[SlotLayer], mut service: HttpService) -> HttpService {
    // The first layer added is the outermost, like `tower::ServiceBuilder`.
    for layer in slot.iter().rev() {
        service = layer(service);
    }
    service
}

/// transport -> attempt timeout -> attempt span -> [per attempt] -> auth -> rate limit -> retry
/// -> total timeout -> [per call] -> operation span.
///
/// A slot is boxed only when it holds layers: with none, the layers around it stay one
/// concrete type, which saves a boxed clone and a boxed future on every call.
/// Generic in the transport, so the default [`HyperTransport`](crate::transport::HyperTransport)
/// is not boxed (a swapped transport arrives boxed already).
pub(crate) fn build<T>(transport: T, mut parts: StackParts) -> HttpService
where
    T: StackService<Error = BoxError>,
{
    let attempt = (
        AttemptSpanLayer,
        AttemptTimeoutLayer::new(parts.attempt_timeout),
    )
        .layer(transport);
    let per_attempt = std::mem::take(&mut parts.per_attempt);
    if per_attempt.is_empty() {
        above_attempt(attempt, parts)
    } else {
        above_attempt(
            apply(&per_attempt, BoxCloneSyncService::new(attempt)),
            parts,
        )
    }
}

fn above_attempt<S>(attempt: S, parts: StackParts) -> HttpService
where
    S: StackService<Error = BoxError>,
{
    let max_cooldown = parts.max_cooldown;
    let limited = tower::util::option_layer(
        parts
            .rate_limiter
            .map(|limiter| RateLimitLayer::new(limiter, max_cooldown)),
    );
    let per_attempt = (limited, parts.auth).layer(attempt);
    let retried = tower::util::option_layer(parts.retry.map(RetryLayer::new)).layer(per_attempt);
    let call = TotalTimeoutLayer::new(parts.total_timeout).layer(retried);
    if parts.per_call.is_empty() {
        BoxCloneSyncService::new(OperationSpanLayer.layer(call))
    } else {
        let call = apply(&parts.per_call, BoxCloneSyncService::new(call));
        BoxCloneSyncService::new(OperationSpanLayer.layer(call))
    }
}
