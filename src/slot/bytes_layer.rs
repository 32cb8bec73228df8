//! `BytesLayer`: a layer written on `http::Request<Bytes>`, as the slots spoke before they took
//! any `http_body::Body`, adapted to a slot.

use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::{MapOk, TryFutureExt};
use tower_layer::Layer;
use tower_service::Service;

use super::{Body, Inner};
use crate::{BoxError, HttpService};

/// Puts a layer whose service speaks `http::Request<Bytes>` -> `http::Response<Bytes>` over a
/// [`HttpService`] into a slot.
///
/// A slot hands layers a [`Body`], because off-the-shelf middleware (tower-http's tracing, for
/// one) needs an `http_body::Body`, which `Bytes` is not; a layer written on `Bytes` keeps
/// working through this adapter, with no copy of the body.
///
/// ```
/// use openai_invites::{Client, HttpService, bytes::Bytes, http};
/// use openai_invites::slot::BytesLayer;
///
/// let tag = tower::layer::layer_fn(|inner: HttpService| {
///     tower::util::MapRequest::new(inner, |mut request: http::Request<Bytes>| {
///         request.headers_mut().insert("x-tag", http::HeaderValue::from_static("bytes"));
///         request
///     })
/// });
/// let client = Client::builder()
///     .admin_key("sk-admin-example")
///     .layer_per_attempt(BytesLayer::new(tag))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), openai_invites::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BytesLayer<L> {
    layer: L,
}

impl<L> BytesLayer<L> {
    /// Adapts `layer`.
    pub fn new(layer: L) -> Self {
        Self { layer }
    }
}

impl<L> Layer<Inner> for BytesLayer<L>
where
    L: Layer<HttpService>,
{
    type Service = BytesService<L::Service>;

    fn layer(&self, inner: Inner) -> Self::Service {
        // The layer speaks the stack's own types: it goes straight over the stack below.
        BytesService {
            layered: self.layer.layer(inner.into_below()),
        }
    }
}

/// The service made by [`BytesLayer`].
#[derive(Debug, Clone)]
pub struct BytesService<S> {
    layered: S,
}

type ToBody = fn(http::Response<Bytes>) -> http::Response<Body>;

impl<S> Service<http::Request<Body>> for BytesService<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = MapOk<S::Future, ToBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.layered.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let to_body: ToBody = |response| response.map(Body::new);
        self.layered
            .call(request.map(Body::into_bytes))
            .map_ok(to_body)
    }
}
