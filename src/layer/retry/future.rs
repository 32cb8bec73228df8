//! `RetryFuture`: the loop of attempts as a named state machine, so a call's retry state lives
//! inline in the caller's future instead of in a box of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::HeaderValue;
use openai_invites_core::OperationMeta;
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower_service::Service;

use super::service::{Next, Outcome, copy_request, next_step};
use super::{Decision, RETRY_COUNT_HEADER, RetryPolicy, classify};
use crate::BoxError;
use crate::layer::Deadline;
use crate::layer::context::CallContext;

pin_project! {
    /// The future of [`Retry`](super::Retry).
    pub struct RetryFuture<S>
    where
        S: Service<http::Request<Bytes>>,
    {
        inner: S,
        policy: Arc<RetryPolicy>,
        // The template every attempt is copied from.
        request: http::Request<Bytes>,
        retry: u32,
        #[pin]
        state: State<S::Future>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // Waiting for the inner service to be ready for the next attempt.
        Ready,
        Calling { #[pin] future: F },
        Backoff { #[pin] sleep: Sleep },
    }
}

impl<S> RetryFuture<S>
where
    S: Service<http::Request<Bytes>>,
{
    pub(super) fn new(inner: S, policy: Arc<RetryPolicy>, request: http::Request<Bytes>) -> Self {
        policy.budget.deposit();
        Self {
            inner,
            policy,
            request,
            retry: 0,
            state: State::Ready,
        }
    }
}

/// Tells the client why the call was not retried (for the error message).
fn note_stop(request: &http::Request<Bytes>, reason: &'static str) {
    if let Some(context) = request.extensions().get::<CallContext>() {
        context.note_stop(reason);
    }
}

impl<S> Future for RetryFuture<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    type Output = Outcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Ready => {
                    if let Err(e) = ready!(this.inner.poll_ready(cx)) {
                        return Poll::Ready(Err(e.into()));
                    }
                    let mut attempt = copy_request(this.request);
                    if *this.retry > 0 {
                        attempt
                            .headers_mut()
                            .insert(RETRY_COUNT_HEADER, HeaderValue::from(*this.retry));
                    }
                    let future = this.inner.call(attempt);
                    this.state.set(State::Calling { future });
                }
                StateProj::Calling { future } => {
                    let outcome: Outcome = ready!(future.poll(cx)).map_err(Into::into);
                    if outcome.as_ref().is_ok_and(|r| r.status().is_success()) {
                        return Poll::Ready(outcome);
                    }
                    let meta = OperationMeta::of(this.request);
                    let operation = meta.map_or("unknown", |m| m.name);
                    let repeat_is_safe =
                        this.policy.retry_non_idempotent || meta.is_some_and(|m| m.idempotent);
                    let attempt = *this.retry + 1;
                    let reason = match classify::classify(&outcome, repeat_is_safe) {
                        Decision::Retry(reason) => reason,
                        Decision::Forbidden(reason) => {
                            tracing::debug!(operation, attempt, reason, "not retrying");
                            note_stop(this.request, reason);
                            return Poll::Ready(outcome);
                        }
                        Decision::NoOpinion => return Poll::Ready(outcome),
                    };
                    let deadline = Deadline::of(this.request);
                    match next_step(this.policy, &outcome, *this.retry, deadline) {
                        Next::Wait(delay) => {
                            tracing::info!(
                                operation,
                                attempt,
                                reason,
                                delay_ms = delay.as_millis() as u64,
                                "retrying"
                            );
                            this.state.set(State::Backoff {
                                sleep: tokio::time::sleep(delay),
                            });
                        }
                        Next::GiveUp(why) => {
                            tracing::info!(operation, attempt, reason, why, "giving up");
                            note_stop(this.request, why);
                            return Poll::Ready(outcome);
                        }
                    }
                }
                StateProj::Backoff { sleep } => {
                    ready!(sleep.poll(cx));
                    *this.retry += 1;
                    this.state.set(State::Ready);
                }
            }
        }
    }
}
