//! `RetryFuture`: the loop of attempts as a named state machine, so a call's retry state lives
//! inline in the caller's future instead of in a box of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};

use bytes::Bytes;
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower_service::Service;

use super::classify::{Attempted, classify};
use super::service::{Next, next_step};
use super::template::Template;
use super::{Decision, RetryPolicy};
use crate::BoxError;
use crate::failure::ResponseFacts;

/// What one attempt came back with.
type AttemptResult = Result<http::Response<Bytes>, BoxError>;

pin_project! {
    /// The future of [`Retry`](super::Retry).
    pub struct RetryFuture<S>
    where
        S: Service<http::Request<Bytes>>,
    {
        inner: S,
        policy: Arc<RetryPolicy>,
        // What the retries are made from; `None` when the policy allows none.
        template: Option<Template>,
        retry: u32,
        #[pin]
        state: State<S::Future>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // Waiting for the inner service to be ready for an attempt: the first (its request is
        // kept here until then) or a retry (made from the template).
        Ready { first: Option<http::Request<Bytes>> },
        Calling { #[pin] future: F },
        Backoff { #[pin] sleep: Sleep },
    }
}

impl<S> RetryFuture<S>
where
    S: Service<http::Request<Bytes>>,
{
    /// The loop, about to send `first` (the original request) once `inner` is ready.
    pub(super) fn new(
        mut inner: S,
        policy: Arc<RetryPolicy>,
        template: Option<Template>,
        first: http::Request<Bytes>,
    ) -> Self {
        if template.is_some() {
            policy.budget.deposit();
        }
        // Most services are ready at once: ask without parking the task (a waker that does
        // nothing), and send the first attempt now. A service that is not ready is asked again
        // on the first poll, with the task's waker, so the wait happens inside the call.
        let mut probe = Context::from_waker(Waker::noop());
        let state = match inner.poll_ready(&mut probe) {
            Poll::Ready(Ok(())) => State::Calling {
                future: inner.call(first),
            },
            _ => State::Ready { first: Some(first) },
        };
        Self {
            inner,
            policy,
            template,
            retry: 0,
            state,
        }
    }
}

/// Tells the client why the call was not retried (for the error message).
fn note_stop(template: &Template, reason: &'static str) {
    if let Some(context) = template.context() {
        context.note_stop(reason);
    }
}

impl<S> Future for RetryFuture<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    type Output = AttemptResult;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<AttemptResult> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Ready { first } => {
                    if let Err(e) = ready!(this.inner.poll_ready(cx)) {
                        return Poll::Ready(Err(e.into()));
                    }
                    let request = match (first.take(), this.template.as_ref()) {
                        (Some(original), _) => original,
                        (None, Some(template)) => template.attempt(*this.retry),
                        // Only a retry comes here without the original, and there is none
                        // without a template.
                        (None, None) => return Poll::Ready(Err("retry without a template".into())),
                    };
                    let future = this.inner.call(request);
                    this.state.set(State::Calling { future });
                }
                StateProj::Calling { future } => {
                    let mut outcome: AttemptResult = ready!(future.poll(cx)).map_err(Into::into);
                    let Some(template) = this.template.as_ref() else {
                        return Poll::Ready(outcome);
                    };
                    let meta = template.meta();
                    let operation = meta.map_or("unknown", |m| m.name);
                    let repeat_is_safe =
                        this.policy.retry_non_idempotent || meta.is_some_and(|m| m.idempotent);
                    let decision = match &mut outcome {
                        Ok(response) => match ResponseFacts::of(response) {
                            Some(facts) => classify(Attempted::Answered(facts), repeat_is_safe),
                            // A 2xx.
                            None => return Poll::Ready(outcome),
                        },
                        Err(error) => classify(Attempted::Failed(error), repeat_is_safe),
                    };
                    let attempt = *this.retry + 1;
                    let (reason, hint) = match decision {
                        Decision::Retry { reason, after } => (reason, after),
                        Decision::Forbidden(reason) => {
                            tracing::debug!(operation, attempt, reason, "not retrying");
                            note_stop(template, reason);
                            return Poll::Ready(outcome);
                        }
                        Decision::NoOpinion => return Poll::Ready(outcome),
                    };
                    let deadline = template.deadline();
                    match next_step(this.policy, hint, *this.retry, deadline) {
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
                            note_stop(template, why);
                            return Poll::Ready(outcome);
                        }
                    }
                }
                StateProj::Backoff { sleep } => {
                    ready!(sleep.poll(cx));
                    *this.retry += 1;
                    this.state.set(State::Ready { first: None });
                }
            }
        }
    }
}
