//! `AttemptMetricsLayer`: `http.client.request.duration`, one record per attempt; nothing at
//! all without the `metrics` feature.

use super::Recorder;

/// Records each attempt's duration and outcome (an identity layer without the feature).
#[derive(Clone, Default)]
pub(crate) struct AttemptMetricsLayer {
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    recorder: Recorder,
}

impl AttemptMetricsLayer {
    pub(crate) fn new(recorder: Recorder) -> Self {
        Self { recorder }
    }
}

#[cfg(not(feature = "metrics"))]
impl<S> tower_layer::Layer<S> for AttemptMetricsLayer {
    type Service = S;
    fn layer(&self, inner: S) -> S {
        inner
    }
}

#[cfg(feature = "metrics")]
mod measured {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, ready};

    use bytes::Bytes;
    use openai_invites_core::OperationMeta;
    use pin_project_lite::pin_project;
    use tokio::time::Instant;
    use tower_service::Service;

    use super::{AttemptMetricsLayer, Recorder};
    use crate::BoxError;
    use crate::layer::metrics::instruments;

    impl<S> tower_layer::Layer<S> for AttemptMetricsLayer {
        type Service = AttemptMetrics<S>;
        fn layer(&self, inner: S) -> Self::Service {
            AttemptMetrics {
                inner,
                recorder: self.recorder.clone(),
            }
        }
    }

    /// The service made by [`AttemptMetricsLayer`].
    #[derive(Clone)]
    pub(crate) struct AttemptMetrics<S> {
        inner: S,
        recorder: Recorder,
    }

    impl<S> Service<http::Request<Bytes>> for AttemptMetrics<S>
    where
        S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
        S::Error: Into<BoxError>,
    {
        type Response = http::Response<Bytes>;
        type Error = BoxError;
        type Future = AttemptMetricsFuture<S::Future>;

        #[inline]
        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
            self.inner.poll_ready(cx).map_err(Into::into)
        }

        #[inline]
        fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
            AttemptMetricsFuture {
                route: instruments::route(OperationMeta::of(&request)),
                started: Instant::now(),
                recorder: self.recorder.clone(),
                inner: self.inner.call(request),
            }
        }
    }

    pin_project! {
        /// The future of [`AttemptMetrics`].
        pub(crate) struct AttemptMetricsFuture<F> {
            #[pin]
            inner: F,
            route: (&'static str, &'static str),
            started: Instant,
            recorder: Recorder,
        }
    }

    impl<F, E> Future for AttemptMetricsFuture<F>
    where
        F: Future<Output = Result<http::Response<Bytes>, E>>,
        E: Into<BoxError>,
    {
        type Output = Result<http::Response<Bytes>, BoxError>;

        #[inline]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let this = self.project();
            let result = ready!(this.inner.poll(cx)).map_err(Into::into);
            if let Some(instruments) = this.recorder.instruments() {
                let (answer, failed) = match &result {
                    Ok(response) => (Some(response), None),
                    Err(error) => (None, Some(crate::layer::trace::error_type(error))),
                };
                instruments.attempt(*this.route, answer, failed, this.started.elapsed());
            }
            Poll::Ready(result)
        }
    }
}
