//! `OperationSpanLayer`: one span per call.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use openai_invites_core::OperationMeta;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Span;

use crate::BoxError;

/// Opens the call span (see the [module docs](super)): one per call, around every attempt,
/// wait and retry.
///
/// ```
/// use openai_invites::layer::OperationSpanLayer;
/// use tower::ServiceBuilder;
///
/// # let transport = tower::service_fn(|_: http::Request<bytes::Bytes>| async {
/// #     Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::new()))
/// # });
/// let traced = ServiceBuilder::new().layer(OperationSpanLayer).service(transport);
/// # let _ = traced;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OperationSpanLayer;

impl<S> Layer<S> for OperationSpanLayer {
    type Service = OperationSpan<S>;
    fn layer(&self, inner: S) -> Self::Service {
        OperationSpan { inner }
    }
}

/// The service made by [`OperationSpanLayer`].
#[derive(Debug, Clone)]
pub struct OperationSpan<S> {
    inner: S,
}

/// The call span. Its tracing name is fixed (a span's name must be known at compile time);
/// the operation's own span name, from its [`OperationMeta`], is `otel.name`, which
/// OpenTelemetry bridges export as the span's name.
fn call_span(meta: Option<&OperationMeta>) -> Span {
    tracing::info_span!(
        "invites.call",
        otel.kind = "client",
        otel.name = meta.map_or("invites.call", |m| m.span_name),
        openai.operation = meta.map_or("unknown", |m| m.name),
        error.type = tracing::field::Empty,
    )
}

impl<S> Service<http::Request<Bytes>> for OperationSpan<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = OperationFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    #[inline]
    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let span = call_span(OperationMeta::of(&request));
        let inner = super::in_span(&span, || self.inner.call(request));
        OperationFuture { inner, span }
    }
}

pin_project! {
    /// The future of [`OperationSpan`]: polls the call inside its span.
    pub struct OperationFuture<F> {
        #[pin]
        inner: F,
        span: Span,
    }
}

impl<F, E> Future for OperationFuture<F>
where
    F: Future<Output = Result<http::Response<Bytes>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<http::Response<Bytes>, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        match this.inner.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(response)) => {
                // The call's final answer is an error answer: a 404, or a 500 retried away.
                // Any status but a 2xx fails the call (a 3xx included), so the call's span
                // names it, where an attempt's names only 4xx and 5xx, as HTTP's conventions do.
                if !response.status().is_success() {
                    this.span.record("error.type", response.status().as_str());
                }
                Poll::Ready(Ok(response))
            }
            Poll::Ready(Err(error)) => {
                let error = error.into();
                this.span.record("error.type", super::error_type(&error));
                Poll::Ready(Err(error))
            }
        }
    }
}
