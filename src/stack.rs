//! Assembles the client's tower stack in its fixed order.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tower::util::BoxCloneSyncService;
use tower_layer::Layer;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::{self, Either::Left, Either::Right};
use pin_project_lite::pin_project;
use tower::ServiceExt;
use tower::util::{Either, Oneshot};

use crate::BoxError;
use crate::layer::rate_limit::{RateLimit, RateLimitLayer, RateLimiter};
use crate::layer::retry::{Retry, RetryLayer, RetryPolicy};
use crate::layer::{
    AttemptSpan, AttemptSpanLayer, AttemptTimeout, AttemptTimeoutLayer, Auth, AuthLayer,
    OperationSpan, OperationSpanLayer, TotalTimeout, TotalTimeoutLayer,
};
use crate::transport::HyperTransport;

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

/// The layers of one attempt, above the transport.
type Attempt<T> = AttemptSpan<AttemptTimeout<T>>;
/// Auth, under the rate limiter when one is configured.
type PerAttempt<S> = Either<RateLimit<Auth<S>>, Auth<S>>;
/// Everything above the per-attempt slot: the retry loop when configured, the total timeout,
/// the operation span.
type PerCall<S> = OperationSpan<TotalTimeout<Either<Retry<PerAttempt<S>>, PerAttempt<S>>>>;

/// The whole stack when neither slot holds a layer, as one concrete type.
pub(crate) type Plain<T> = PerCall<Attempt<T>>;

type Either3<A, B, C> = future::Either<A, future::Either<B, C>>;

pin_project! {
    /// A call through a [`Stack`]. A struct with no type parameters, so that the `Send`-ness of
    /// the futures that hold it (`Call`, pagination's stream) is proven without projecting the
    /// stack's future types (which trips rustc's higher-ranked lifetime check on the layers'
    /// `Into<BoxError>` bounds).
    pub(crate) struct StackFuture {
        #[pin]
        inner: Either3<
            Oneshot<Plain<HyperTransport>, http::Request<Bytes>>,
            Oneshot<Plain<HttpService>, http::Request<Bytes>>,
            Oneshot<HttpService, http::Request<Bytes>>,
        >,
    }
}

impl Future for StackFuture {
    type Output = Result<http::Response<Bytes>, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

/// The client's stack: concrete when it holds no user layers (the common case), so that a call
/// clones it without allocating and awaits its future without boxing; erased otherwise.
#[derive(Clone)]
pub(crate) enum Stack {
    /// The default hyper transport, no user layers.
    Hyper(Plain<HyperTransport>),
    /// A swapped transport, no user layers.
    Swapped(Plain<HttpService>),
    /// User layers in a slot: the stack is erased.
    Layered(HttpService),
}

impl Stack {
    /// transport -> attempt timeout -> attempt span -> [per attempt] -> auth -> rate limit ->
    /// retry -> total timeout -> [per call] -> operation span.
    ///
    /// A slot is boxed only when it holds layers: with none, the layers around it stay one
    /// concrete type, which saves a boxed clone and a boxed future on every call.
    pub(crate) fn build<T>(transport: T, mut parts: StackParts) -> Self
    where
        T: StackService<Error = BoxError>,
        Plain<T>: Into<Stack>,
    {
        let attempt = (
            AttemptSpanLayer,
            AttemptTimeoutLayer::new(parts.attempt_timeout),
        )
            .layer(transport);
        let per_attempt = std::mem::take(&mut parts.per_attempt);
        let per_call = std::mem::take(&mut parts.per_call);
        match (per_attempt.is_empty(), per_call.is_empty()) {
            (true, true) => above_attempt(attempt, parts).into(),
            (true, false) => Self::Layered(layered(&per_call, above_attempt(attempt, parts))),
            (false, _) => {
                let attempt = apply(&per_attempt, BoxCloneSyncService::new(attempt));
                Self::Layered(layered(&per_call, above_attempt(attempt, parts)))
            }
        }
    }

    /// Sends one request through the stack.
    #[inline]
    pub(crate) fn call(&self, request: http::Request<Bytes>) -> StackFuture {
        let inner = match self {
            Self::Hyper(stack) => Left(stack.clone().oneshot(request)),
            Self::Swapped(stack) => Right(Left(stack.clone().oneshot(request))),
            Self::Layered(stack) => Right(Right(stack.clone().oneshot(request))),
        };
        StackFuture { inner }
    }
}

impl From<Plain<HyperTransport>> for Stack {
    fn from(stack: Plain<HyperTransport>) -> Self {
        Self::Hyper(stack)
    }
}

impl From<Plain<HttpService>> for Stack {
    fn from(stack: Plain<HttpService>) -> Self {
        Self::Swapped(stack)
    }
}

fn above_attempt<S>(attempt: S, parts: StackParts) -> PerCall<S>
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
    (
        OperationSpanLayer,
        TotalTimeoutLayer::new(parts.total_timeout),
    )
        .layer(retried)
}

/// Puts the per-call slot's layers between the operation span and the total timeout.
fn layered<S>(per_call: &[SlotLayer], stack: PerCall<S>) -> HttpService
where
    S: StackService<Error = BoxError>,
{
    if per_call.is_empty() {
        return BoxCloneSyncService::new(stack);
    }
    let below_span = BoxCloneSyncService::new(stack.into_inner());
    BoxCloneSyncService::new(OperationSpanLayer.layer(apply(per_call, below_span)))
}
