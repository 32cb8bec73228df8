//! `AttemptSpanLayer`: one span per attempt, with OpenTelemetry HTTP client attributes.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use openai_invites_core::{OperationMeta, headers};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Span;
use tracing::field::Empty;

use crate::BoxError;
use crate::layer::context::CallContext;
use crate::layer::retry::RETRY_COUNT_HEADER;
use crate::scrub::Secrets;

/// Opens the attempt span (see the [module docs](super)). Put it below a retry layer so that
/// each attempt gets its own span, with `http.request.resend_count` (read from the
/// `x-stainless-retry-count` the retry loop sets). It only records: nothing in the stack
/// depends on it.
///
/// In the client's stack the recorded request id is scrubbed of the admin key and proxy
/// credentials (a misbehaving server may echo them). In a stack of your own there is no
/// client to know them, so it is recorded as the service sent it.
///
/// ```
/// use openai_invites::layer::AttemptSpanLayer;
/// use openai_invites::layer::retry::{RetryLayer, RetryPolicy};
/// use tower::ServiceBuilder;
///
/// # let transport = tower::service_fn(|_: http::Request<bytes::Bytes>| async {
/// #     Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::new()))
/// # });
/// let stack = ServiceBuilder::new()
///     .layer(RetryLayer::new(RetryPolicy::default()))
///     .layer(AttemptSpanLayer)
///     .service(transport);
/// # let _ = stack;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AttemptSpanLayer;

impl<S> Layer<S> for AttemptSpanLayer {
    type Service = AttemptSpan<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AttemptSpan { inner }
    }
}

/// The service made by [`AttemptSpanLayer`].
#[derive(Debug, Clone)]
pub struct AttemptSpan<S> {
    inner: S,
}

fn url_template(request: &http::Request<Bytes>) -> &'static str {
    OperationMeta::of(request).map_or("", |m| m.url_template)
}

fn server_port(uri: &http::Uri) -> u16 {
    let default = if uri.scheme_str() == Some("http") {
        80
    } else {
        443
    };
    uri.port_u16().unwrap_or(default)
}

/// The retry number the retry loop wrote on the request (0 for a first attempt).
fn resend_count(request: &http::Request<Bytes>) -> u32 {
    let count = request.headers().get(RETRY_COUNT_HEADER);
    count
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0)
}

fn attempt_span(request: &http::Request<Bytes>) -> Span {
    let uri = request.uri();
    // The macro evaluates field values only when the span is enabled: with no subscriber
    // listening, none of them is computed.
    let span = tracing::info_span!(
        "invites.attempt",
        otel.kind = "client",
        otel.name = Empty,
        http.request.method = request.method().as_str(),
        url.template = url_template(request),
        server.address = uri.host().unwrap_or(""),
        server.port = server_port(uri),
        http.request.resend_count = Empty,
        http.response.status_code = Empty,
        error.type = Empty,
        openai.request_id = Empty,
    );
    if !span.is_disabled() {
        let method = request.method().as_str();
        span.record("otel.name", format!("{method} {}", url_template(request)));
        let resends = resend_count(request);
        if resends > 0 {
            span.record("http.request.resend_count", resends);
        }
    }
    span
}

impl<S> Service<http::Request<Bytes>> for AttemptSpan<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = AttemptFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    #[inline]
    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let span = attempt_span(&request);
        // Only a span someone listens to records the request id, scrubbed of the secrets.
        let secrets = match span.is_disabled() {
            true => None,
            false => CallContext::of(&request)
                .and_then(CallContext::secrets)
                .cloned(),
        };
        let inner = super::in_span(&span, || self.inner.call(request));
        AttemptFuture {
            inner,
            span,
            secrets,
        }
    }
}

pin_project! {
    /// The future of [`AttemptSpan`]: records the outcome on the span.
    pub struct AttemptFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        secrets: Option<Arc<Secrets>>,
    }
}

impl<F, E> Future for AttemptFuture<F>
where
    F: Future<Output = Result<http::Response<Bytes>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<http::Response<Bytes>, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let result = match this.inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result.map_err(Into::into),
        };
        if !this.span.is_disabled() {
            match &result {
                Ok(response) => {
                    let status = response.status();
                    this.span
                        .record("http.response.status_code", status.as_u16());
                    if let Some(error_type) = super::status_error_type(&status) {
                        this.span.record("error.type", error_type);
                    }
                    if let Some(id) = headers::request_id(response.headers()) {
                        let id = match this.secrets {
                            Some(secrets) => secrets.scrub(id),
                            None => Cow::Borrowed(id),
                        };
                        this.span.record("openai.request_id", &*id);
                    }
                }
                Err(error) => {
                    this.span.record("error.type", super::error_type(error));
                }
            }
        }
        Poll::Ready(result)
    }
}
