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

/// Opens the call span named after the operation (see the [module docs](super)).
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

impl<S> OperationSpan<S> {
    /// The wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

macro_rules! call_span {
    ($name:literal, $op:expr) => {
        tracing::info_span!(
            $name,
            otel.kind = "client",
            otel.name = $op,
            openai.operation = $op,
            error.type = tracing::field::Empty,
        )
    };
}

fn call_span(meta: Option<&OperationMeta>) -> Span {
    let op = meta.map_or("unknown", |m| m.name);
    // Span names must be static: one callsite per known operation.
    match op {
        "listInvites" => call_span!("invites.list", op),
        "inviteUser" => call_span!("invites.create", op),
        "retrieveInvite" => call_span!("invites.retrieve", op),
        "deleteInvite" => call_span!("invites.delete", op),
        _ => call_span!("invites.call", op),
    }
}

impl<S> Service<http::Request<Bytes>> for OperationSpan<S>
where
    S: Service<http::Request<Bytes>>,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
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

impl<F, T, E> Future for OperationFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        match this.inner.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(response)) => Poll::Ready(Ok(response)),
            Poll::Ready(Err(error)) => {
                let error = error.into();
                this.span.record("error.type", super::error_type(&error));
                Poll::Ready(Err(error))
            }
        }
    }
}
