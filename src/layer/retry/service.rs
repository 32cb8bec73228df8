//! `Retry`: the service that starts a call's loop of attempts.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use openai_invites_core::OperationMeta;
use openai_invites_core::reconcile::Reconciliation;
use tower_service::Service;

use super::template::Template;
use super::{RetryFuture, RetryPolicy};
use crate::BoxError;
use crate::layer::context::CallContext;
use crate::layer::metrics::Recorder;

/// The header the official SDKs send on every attempt after the first: the retry number.
pub const RETRY_COUNT_HEADER: &str = "x-stainless-retry-count";

/// The service made by [`RetryLayer`](super::RetryLayer).
#[derive(Clone)]
pub struct Retry<S> {
    inner: S,
    policy: Arc<RetryPolicy>,
    recorder: Recorder,
}

impl<S> Retry<S> {
    pub(crate) fn new(inner: S, policy: Arc<RetryPolicy>, recorder: Recorder) -> Self {
        Self {
            inner,
            policy,
            recorder,
        }
    }
}

impl<S> std::fmt::Debug for Retry<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retry")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<S> Service<http::Request<Bytes>> for Retry<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = RetryFuture<S>;

    #[inline]
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The inner service's readiness is awaited in the future, before every attempt: so a
        // wait for it (a concurrency limit of yours in the per-attempt slot, say) happens
        // inside the call, under its total timeout and its span.
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        self.start(request, true)
    }
}

impl<S> Retry<S>
where
    S: Service<http::Request<Bytes>> + Clone,
    S::Error: Into<BoxError>,
{
    /// The loop for `request`; `deposit`: it is a call, which earns the budget its share of
    /// retries (a reconciliation's read is part of its call, and earns none).
    pub(super) fn start(&self, request: http::Request<Bytes>, deposit: bool) -> RetryFuture<S> {
        // The template is taken before the original goes out as the first attempt; with no
        // retry allowed and nothing to reconcile, nothing is kept.
        let meta = OperationMeta::of(&request);
        let template = match self.policy.max_retries {
            0 => {
                let call = CallContext::of(&request).is_none_or(CallContext::reconciles);
                let reconcilable = self.policy.reconciliation(meta, call) != Reconciliation::None;
                reconcilable.then(|| Box::new(Template::of(&request)))
            }
            _ => Some(Box::new(Template::of(&request))),
        };
        if deposit && template.is_some() {
            self.policy.budget.deposit();
        }
        // The template holds the operation; without one, the loop keeps its own copy.
        let meta = match template {
            Some(_) => None,
            None => meta.cloned().map(Box::new),
        };
        RetryFuture::new(
            self.inner.clone(),
            (self.policy.clone(), self.recorder.clone()),
            (template, meta),
            request,
        )
    }
}
