//! The two slots where your tower layers go: [`layer_per_call`] (once per call, outside the
//! retry loop) and [`layer_per_attempt`] (every attempt, after authentication).
//!
//! Your layer wraps an [`Inner`], the rest of the stack, and sees requests with an in-memory
//! [`Body`]; it may answer with any [`http_body::Body`], which the client reads to the end (up to
//! the response-size cap), so a retry re-sends the same bytes. Off-the-shelf tower and tower-http
//! layers fit as they are (`TraceLayer`, `DecompressionLayer`, `SetRequestHeaderLayer`,
//! `ConcurrencyLimitLayer`, `TimeoutLayer`, `BufferLayer`...).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_invites::{Client, http, slot::Body};
//! use openai_invites_mock::FakeInvites;
//!
//! let fake = FakeInvites::new();
//! let client = Client::builder()
//!     .admin_key(fake.admin_key())
//!     .transport(fake.service())
//!     .layer_per_attempt(tower::layer::layer_fn(|inner| {
//!         tower::util::MapRequest::new(inner, |request: http::Request<Body>| {
//!             assert!(request.headers().contains_key("authorization"));
//!             request
//!         })
//!     }))
//!     .build()?;
//! client.list_invites(Default::default()).await?;
//! # Ok(()) }
//! ```
//!
//! Layers are applied on the client's first call, once for every clone, so a `BufferLayer`
//! spawns its worker in the runtime of that call even when the client was built outside one.
//!
//! [`layer_per_call`]: crate::ClientBuilder::layer_per_call
//! [`layer_per_attempt`]: crate::ClientBuilder::layer_per_attempt

mod body;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::{MapOk, TryFutureExt};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tower_service::Service;

pub use body::Body;

use crate::BoxError;
use crate::transport::{HttpService, ResponseTooLarge, StackService};

/// The rest of the stack, as a layer of yours in a slot sees it.
#[derive(Clone)]
pub struct Inner(HttpService);

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inner { .. }")
    }
}

type ToBody = fn(http::Response<Bytes>) -> http::Response<Body>;

impl Service<http::Request<Body>> for Inner {
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = MapOk<<HttpService as Service<http::Request<Bytes>>>::Future, ToBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let to_body: ToBody = |response| response.map(Body::new);
        self.0.call(request.map(Body::into_bytes)).map_ok(to_body)
    }
}

/// What the service made by a layer of yours must be to sit in a slot: it takes
/// `http::Request<Body>`, answers with any [`http_body::Body`], fails with an error that
/// converts to [`BoxError`], and is `Clone + Send + Sync + 'static` (the stack is cloned per
/// call). A layer whose service is not `Clone`, such as `tower::limit::RateLimit`, does not
/// compile; wrap it in `tower::buffer::BufferLayer`, or use [`ClientBuilder::rate_limit`]:
///
/// ```compile_fail
/// use std::time::Duration;
/// let builder = openai_invites::Client::builder()
///     .layer_per_attempt(tower::limit::RateLimitLayer::new(5, Duration::from_secs(1)));
/// ```
///
/// [`ClientBuilder::rate_limit`]: crate::ClientBuilder::rate_limit
pub trait SlotService:
    Service<
        http::Request<Body>,
        Response: SlotResponse,
        Error: Into<BoxError>,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> SlotService for S where
    S: Service<
            http::Request<Body>,
            Response: SlotResponse,
            Error: Into<BoxError>,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// An `http::Response` with any [`http_body::Body`], as a layer in a slot may answer.
pub trait SlotResponse: Send + 'static {
    /// The body, read to the end by the client.
    type Body: http_body::Body<Data: Send, Error: Into<BoxError>> + Send + 'static;

    /// The head and the body.
    fn into_parts(self) -> (http::response::Parts, Self::Body);
}

impl<B> SlotResponse for http::Response<B>
where
    B: http_body::Body<Data: Send, Error: Into<BoxError>> + Send + 'static,
{
    type Body = B;

    fn into_parts(self) -> (http::response::Parts, B) {
        http::Response::into_parts(self)
    }
}

/// Above a layer of yours: hands it a [`Body`] and reads its answer back into bytes.
#[derive(Clone)]
struct Entry<S> {
    layered: S,
    max_response_bytes: usize,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

impl<S: SlotService> Service<http::Request<Bytes>> for Entry<S> {
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = BoxFuture<http::Response<Bytes>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.layered.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let answer = self.layered.call(request.map(Body::new));
        let limit = self.max_response_bytes;
        Box::pin(async move {
            let (parts, body) = answer.await.map_err(Into::into)?.into_parts();
            match Limited::new(body, limit).collect().await {
                Ok(body) => Ok(http::Response::from_parts(parts, body.to_bytes())),
                Err(e) if e.is::<LengthLimitError>() => Err(ResponseTooLarge::boxed(&parts, limit)),
                Err(e) => Err(e),
            }
        })
    }
}

/// A layer of yours, erased: the stack below and the response-size cap in, the slot out.
pub(crate) type ErasedLayer = Arc<dyn Fn(HttpService, usize) -> HttpService + Send + Sync>;

pub(crate) fn erase<L>(layer: L) -> ErasedLayer
where
    L: tower_layer::Layer<Inner> + Send + Sync + 'static,
    L::Service: SlotService,
{
    Arc::new(move |below, max_response_bytes| {
        HttpService::new(Entry {
            layered: layer.layer(Inner(below)),
            max_response_bytes,
        })
    })
}

/// The layers of one slot, as a layer of the client's stack.
#[derive(Clone)]
pub(crate) struct Slot {
    layers: Arc<[ErasedLayer]>,
    max_response_bytes: usize,
}

impl Slot {
    /// `None` when the slot holds no layer: the stack then has nothing there at all.
    pub(crate) fn of(layers: Vec<ErasedLayer>, max_response_bytes: usize) -> Option<Self> {
        (!layers.is_empty()).then(|| Self {
            layers: layers.into(),
            max_response_bytes,
        })
    }
}

type Apply = Box<dyn FnOnce() -> HttpService + Send>;

impl<S: StackService> tower_layer::Layer<S> for Slot {
    type Service = Applied;

    fn layer(&self, below: S) -> Applied {
        let below = HttpService::new(tower::util::MapErr::new(below, Into::into));
        let slot = self.clone();
        // The first layer added is the outermost, as in `tower::ServiceBuilder`.
        let apply: Apply = Box::new(move || {
            let apply = |service, layer: &ErasedLayer| layer(service, slot.max_response_bytes);
            slot.layers.iter().rev().fold(below, apply)
        });
        Applied {
            applied: Arc::new(LazyLock::new(apply)),
            ready: None,
        }
    }
}

/// A slot's layers over the stack below, applied on first use, once for every clone.
#[derive(Clone)]
pub(crate) struct Applied {
    applied: Arc<LazyLock<HttpService, Apply>>,
    /// This clone's copy, once polled.
    ready: Option<HttpService>,
}

impl Applied {
    /// This clone's copy of the applied layers, made (and the layers applied) at first use.
    fn service(&mut self) -> &mut HttpService {
        let applied = &self.applied;
        self.ready.get_or_insert_with(|| (**applied).clone())
    }
}

impl Service<http::Request<Bytes>> for Applied {
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = <HttpService as Service<http::Request<Bytes>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.service().poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        self.service().call(request)
    }
}
