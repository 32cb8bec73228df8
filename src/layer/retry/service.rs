//! `Retry`: the loop of attempts, and the choice of what to do after a failed one.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use openai_invites_core::reconcile::Reconciliation;
use tower_service::Service;

use super::template::Template;
use super::{RetryFuture, RetryPolicy};
use crate::BoxError;
use crate::layer::Deadline;
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

/// What to do after a failed attempt whose classification said "retry".
pub(super) enum Next {
    Wait(Duration),
    GiveUp(&'static str),
}

/// The wait before retry number `retry + 1`: the service's hint when it gave one within
/// `max_retry_after`, else backoff; or why not to retry at all.
pub(super) fn next_step(
    policy: &RetryPolicy,
    hint: Option<Duration>,
    retry: u32,
    deadline: Option<Deadline>,
) -> Next {
    if retry >= policy.max_retries {
        return Next::GiveUp("no retries left");
    }
    // A zero hint (or a date in the past) is no hint: back off as usual.
    let delay = match hint.filter(|hint| !hint.is_zero()) {
        Some(hint) if hint > policy.max_retry_after => {
            return Next::GiveUp("the service asked to wait longer than max_retry_after");
        }
        Some(hint) => hint,
        None => policy.backoff.delay(retry),
    };
    if deadline.is_some_and(|d| delay >= d.remaining()) {
        return Next::GiveUp("the wait would pass the total deadline");
    }
    if !policy.budget.withdraw() {
        return Next::GiveUp("the retry budget is spent");
    }
    Next::Wait(delay)
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
        // The template is taken before the original goes out as the first attempt; with no
        // retry allowed and nothing to reconcile, nothing is kept.
        let reconcilable = self.policy.reconcile.enabled
            && openai_invites_core::OperationMeta::of(&request)
                .is_some_and(|m| m.reconcile != Reconciliation::None);
        let template =
            (self.policy.max_retries > 0 || reconcilable).then(|| Template::of(&request));
        RetryFuture::new(
            self.inner.clone(),
            (self.policy.clone(), self.recorder.clone()),
            template,
            request,
        )
    }
}
