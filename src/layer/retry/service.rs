//! `Retry`: the loop of attempts.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::HeaderValue;
use openai_invites_core::{OperationMeta, headers};
use tower::ServiceExt;
use tower_service::Service;

use super::{Decision, RetryPolicy, classify};
use crate::BoxError;
use crate::layer::Deadline;
use crate::layer::context::CallContext;

/// The header the official SDKs send on every attempt after the first: the retry number.
pub const RETRY_COUNT_HEADER: &str = "x-stainless-retry-count";

/// The service made by [`RetryLayer`](super::RetryLayer).
#[derive(Debug, Clone)]
pub struct Retry<S> {
    inner: S,
    policy: Arc<RetryPolicy>,
}

impl<S> Retry<S> {
    pub(crate) fn new(inner: S, policy: Arc<RetryPolicy>) -> Self {
        Self { inner, policy }
    }
}

/// `http::Request` is not `Clone`; its parts are. Extensions are cloned too, so every attempt
/// carries the operation's meta and the call's context.
fn copy_request(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    copy
}

type Outcome = Result<http::Response<Bytes>, BoxError>;

/// What to do after a failed attempt whose classification said "retry".
enum Next {
    Wait(Duration),
    GiveUp(&'static str),
}

fn next_step(
    policy: &RetryPolicy,
    outcome: &Outcome,
    retry: u32,
    deadline: Option<Deadline>,
) -> Next {
    if retry >= policy.max_retries {
        return Next::GiveUp("no retries left");
    }
    let hint = outcome
        .as_ref()
        .ok()
        .and_then(|r| headers::retry_after(r.headers(), SystemTime::now()))
        // A zero hint (or a date in the past) is no hint: back off as usual.
        .filter(|hint| !hint.is_zero());
    let delay = match hint {
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
    type Future = Pin<Box<dyn Future<Output = Outcome> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Readiness of the inner service is awaited per attempt, on its own clone.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let inner = self.inner.clone();
        let policy = self.policy.clone();
        Box::pin(run(inner, policy, request))
    }
}

/// Tells the client why the call was not retried (for the error message).
fn note_stop(request: &http::Request<Bytes>, reason: &'static str) {
    if let Some(context) = request.extensions().get::<CallContext>() {
        context.note_stop(reason);
    }
}

async fn run<S>(mut inner: S, policy: Arc<RetryPolicy>, request: http::Request<Bytes>) -> Outcome
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Clone,
    S::Error: Into<BoxError>,
{
    let meta = OperationMeta::of(&request);
    let operation = meta.map_or("unknown", |m| m.name);
    let repeat_is_safe = policy.retry_non_idempotent || meta.is_some_and(|m| m.idempotent);
    let deadline = request.extensions().get::<Deadline>().copied();
    policy.budget.deposit();

    let mut retry = 0u32;
    loop {
        let mut attempt = copy_request(&request);
        if retry > 0 {
            attempt
                .headers_mut()
                .insert(RETRY_COUNT_HEADER, HeaderValue::from(retry));
        }
        // One service for every attempt: readiness is awaited each time, no clone per attempt.
        let ready: Result<&mut S, BoxError> = inner.ready().await.map_err(Into::into);
        let outcome: Outcome = match ready {
            Ok(ready) => ready.call(attempt).await.map_err(Into::into),
            Err(e) => Err(e),
        };
        if outcome.as_ref().is_ok_and(|r| r.status().is_success()) {
            return outcome;
        }
        let reason = match classify::classify(&outcome, repeat_is_safe) {
            Decision::Retry(reason) => reason,
            Decision::Forbidden(reason) => {
                tracing::debug!(operation, attempt = retry + 1, reason, "not retrying");
                note_stop(&request, reason);
                return outcome;
            }
            Decision::NoOpinion => return outcome,
        };
        match next_step(&policy, &outcome, retry, deadline) {
            Next::Wait(delay) => {
                tracing::info!(
                    operation,
                    attempt = retry + 1,
                    reason,
                    delay_ms = delay.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(delay).await;
                retry += 1;
            }
            Next::GiveUp(why) => {
                tracing::info!(operation, attempt = retry + 1, reason, why, "giving up");
                note_stop(&request, why);
                return outcome;
            }
        }
    }
}
