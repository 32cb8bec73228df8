//! The two adapters around a layer of yours: [`Inner`] below it (what it calls) and `Entry`
//! above it (what the stack calls). Between them the layer speaks [`Body`]; the stack speaks
//! `Bytes`, so a retry always re-sends the same bytes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use tower_service::Service;

use super::Body;
use crate::transport::ResponseTooLarge;
use crate::{BoxError, HttpService};

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// What a service made by a layer of yours must be to sit in a slot: an HTTP service taking
/// requests with a [`Body`], answering with any [`http_body::Body`] (it is read to the end,
/// up to the response-size cap), failing with an error that converts to [`BoxError`], and
/// `Clone + Send + Sync + 'static` (the stack is cloned for every call).
///
/// Every tower and tower-http middleware whose service is `Clone` fits. One that is not, such
/// as `tower::limit::RateLimit` (its state lives in the service value), does not compile:
///
/// ```compile_fail
/// use std::time::Duration;
/// let builder = openai_invites::Client::builder()
///     .layer_per_attempt(tower::limit::RateLimitLayer::new(5, Duration::from_secs(1)));
/// ```
///
/// Use the client's own rate limiter for that ([`ClientBuilder::rate_limit`]), or wrap the
/// layer in `tower::buffer::BufferLayer`, whose service is `Clone`.
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

/// A response a slot can read back into bytes: an `http::Response` whose body is any
/// [`http_body::Body`] with `Bytes`-like data.
pub trait SlotResponse: Send + 'static {
    /// Reads the body to the end, up to `limit` bytes.
    #[doc(hidden)]
    fn into_bytes_response(self, limit: usize) -> BoxFuture<http::Response<Bytes>>;
}

impl<B> SlotResponse for http::Response<B>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    fn into_bytes_response(self, limit: usize) -> BoxFuture<http::Response<Bytes>> {
        Box::pin(async move {
            let (parts, body) = self.into_parts();
            match Limited::new(body, limit).collect().await {
                Ok(collected) => Ok(http::Response::from_parts(parts, collected.to_bytes())),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    Err(ResponseTooLarge::boxed(&parts, limit))
                }
                Err(e) => Err(e),
            }
        })
    }
}

/// The rest of the stack, as a layer of yours in a slot sees it: a service taking any
/// [`http_body::Body`] (read into bytes first) and answering with a [`Body`].
#[derive(Clone)]
pub struct Inner {
    below: HttpService,
}

impl Inner {
    pub(super) fn new(below: HttpService) -> Self {
        Self { below }
    }

    /// The stack below, as it speaks (bytes in, bytes out).
    pub(super) fn into_below(self) -> HttpService {
        self.below
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inner { .. }")
    }
}

impl<B> Service<http::Request<B>> for Inner
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = BoxFuture<http::Response<Body>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.below.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // Take the service that was polled ready; leave a clone for the next call.
        let clone = self.below.clone();
        let mut below = std::mem::replace(&mut self.below, clone);
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let bytes = body.collect().await.map_err(Into::into)?.to_bytes();
            let response = below.call(http::Request::from_parts(parts, bytes)).await?;
            Ok(response.map(Body::new))
        })
    }
}

/// Above a layer of yours: hands it the stack's request with a [`Body`], and reads its answer
/// back into bytes.
#[derive(Clone)]
pub(super) struct Entry<S> {
    layered: S,
    max_response_bytes: usize,
}

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
            let response = answer.await.map_err(Into::into)?;
            response.into_bytes_response(limit).await
        })
    }
}

/// A layer of yours, erased: the stack below the slot and the response-size cap in, the
/// slot's service out.
pub(crate) type ErasedLayer = Arc<dyn Fn(HttpService, usize) -> HttpService + Send + Sync>;

/// Erases `layer` with its adapters.
pub(crate) fn erase<L>(layer: L) -> ErasedLayer
where
    L: tower_layer::Layer<Inner> + Send + Sync + 'static,
    L::Service: SlotService,
{
    Arc::new(move |below, max_response_bytes| {
        HttpService::new(Entry {
            layered: layer.layer(Inner::new(below)),
            max_response_bytes,
        })
    })
}
