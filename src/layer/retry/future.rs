//! `RetryFuture`: the loop of attempts as a named state machine, so a call's retry state lives
//! inline in the caller's future instead of in a box of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use openai_invites_core::reconcile::{self, Finding, Reconciliation};
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower_service::Service;

use super::classify::{Attempted, classify};
use super::reconcile::{AlreadyInvited, Reconciled, created_answer, find_created};
use super::service::{Next, next_step};
use super::template::Template;
use super::{Decision, RetryPolicy};
use crate::BoxError;
use crate::failure::ResponseFacts;
use crate::layer::metrics::Recorder;

/// What one attempt came back with.
type AttemptResult = Result<http::Response<Bytes>, BoxError>;

/// A reconciliation's reads, in flight (boxed: they are rare).
type Reading = Pin<Box<dyn Future<Output = Result<Finding, String>> + Send>>;

pin_project! {
    /// The future of [`Retry`](super::Retry).
    pub struct RetryFuture<S>
    where
        S: Service<http::Request<Bytes>>,
    {
        inner: S,
        policy: Arc<RetryPolicy>,
        recorder: Recorder,
        // What the retries and reads are made from; `None` when the policy allows neither.
        template: Option<Template>,
        retry: u32,
        // When the call began (for a create that may need reconciling).
        began: SystemTime,
        // Whether an attempt so far may have taken effect.
        ambiguous_before: bool,
        // The failure a reconciliation is settling, returned if it cannot tell.
        unsettled: Option<AttemptResult>,
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
        Reconciling { reading: Reading },
    }
}

/// What to do after an attempt.
enum Then {
    Return(AttemptResult),
    Retry(Duration),
    Reconcile(AttemptResult),
}

impl<S> RetryFuture<S>
where
    S: Service<http::Request<Bytes>>,
{
    /// The loop, about to send `first` (the original request) once `inner` is ready.
    pub(super) fn new(
        mut inner: S,
        (policy, recorder): (Arc<RetryPolicy>, Recorder),
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
            recorder,
            template,
            retry: 0,
            began: SystemTime::now(),
            ambiguous_before: false,
            unsettled: None,
            state,
        }
    }
}

impl<S> Future for RetryFuture<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    type Output = AttemptResult;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<AttemptResult> {
        let mut this = self.project();
        loop {
            let then = match this.state.as_mut().project() {
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
                    continue;
                }
                StateProj::Calling { future } => {
                    let outcome: AttemptResult = ready!(future.poll(cx)).map_err(Into::into);
                    let Some(template) = this.template.as_ref() else {
                        return Poll::Ready(outcome);
                    };
                    let ambiguous_before = *this.ambiguous_before;
                    let then = after_attempt(
                        (this.policy, this.recorder),
                        template,
                        *this.retry,
                        ambiguous_before,
                        outcome,
                    );
                    if matches!(then, Then::Retry(_) | Then::Reconcile(_)) {
                        *this.ambiguous_before = true;
                    }
                    then
                }
                StateProj::Backoff { sleep } => {
                    ready!(sleep.poll(cx));
                    *this.retry += 1;
                    this.state.set(State::Ready { first: None });
                    continue;
                }
                StateProj::Reconciling { reading } => {
                    let found = ready!(reading.as_mut().poll(cx));
                    let unsettled = this.unsettled.take();
                    let Some(template) = this.template.as_ref() else {
                        return Poll::Ready(Err("reconciled without a template".into()));
                    };
                    settle(
                        (this.policy, this.recorder),
                        template,
                        *this.retry,
                        found,
                        unsettled,
                    )
                }
            };
            match then {
                Then::Return(outcome) => return Poll::Ready(outcome),
                Then::Retry(delay) => this.state.set(State::Backoff {
                    sleep: tokio::time::sleep(delay),
                }),
                Then::Reconcile(unsettled) => {
                    let Some(template) = this.template.as_ref() else {
                        return Poll::Ready(unsettled);
                    };
                    let duplicate = refused_as_duplicate(&unsettled);
                    *this.unsettled = Some(unsettled);
                    let reading = reading(
                        this.inner.clone(),
                        this.policy,
                        template,
                        (*this.began, duplicate),
                    );
                    this.state.set(State::Reconciling { reading });
                }
            }
        }
    }
}

/// Decides what an attempt's outcome calls for: return it, retry after a wait, or read the
/// service to settle it.
fn after_attempt(
    (policy, recorder): (&RetryPolicy, &Recorder),
    template: &Template,
    retry: u32,
    ambiguous_before: bool,
    mut outcome: AttemptResult,
) -> Then {
    let meta = template.meta();
    let operation = meta.map_or("unknown", |m| m.name);
    let reconcile = match meta {
        Some(meta) if policy.reconcile.enabled => meta.reconcile,
        _ => Reconciliation::None,
    };
    let repeat_is_safe = policy.retry_non_idempotent || meta.is_some_and(|m| m.idempotent);
    let (decision, ambiguous) = match &mut outcome {
        // A 2xx: done, unless it is a create whose answer does not decode.
        Ok(response) if response.status().is_success() => {
            if reconcile == Reconciliation::FindCreatedInvite
                && !reconcile::create_settled(response)
            {
                tracing::info!(
                    operation,
                    "the create's answer does not decode: reconciling"
                );
                return Then::Reconcile(outcome);
            }
            return Then::Return(outcome);
        }
        Ok(response) => match ResponseFacts::of(response) {
            Some(facts) => {
                // A retried delete that finds the invite gone: an earlier attempt deleted it.
                if reconcile == Reconciliation::NotFoundMeansDeleted
                    && ambiguous_before
                    && facts.api.status == http::StatusCode::NOT_FOUND
                {
                    if let Some(answer) = reconcile::deleted_answer(template.uri()) {
                        tracing::info!(operation, "the retry found the invite gone: deleted");
                        note_reconciled(recorder, template, Reconciled::Deleted, None);
                        return Then::Return(Ok(answer));
                    }
                }
                let attempted = Attempted::Answered(facts);
                (
                    classify(attempted, repeat_is_safe),
                    attempted.failure().is_ambiguous(),
                )
            }
            None => return Then::Return(outcome),
        },
        Err(error) => {
            let attempted = Attempted::Failed(error);
            (
                classify(attempted, repeat_is_safe),
                attempted.failure().is_ambiguous(),
            )
        }
    };
    let attempt = retry + 1;
    if ambiguous && reconcile == Reconciliation::FindCreatedInvite {
        // Reading is not re-sending: the service's state says whether the create happened.
        tracing::info!(
            operation,
            attempt,
            "the create may have taken effect: reconciling"
        );
        return Then::Reconcile(outcome);
    }
    let (reason, hint) = match decision {
        Decision::Retry { reason, after } => (reason, after),
        Decision::Forbidden(reason) => {
            tracing::debug!(operation, attempt, reason, "not retrying");
            note_stop(template, reason);
            return Then::Return(outcome);
        }
        Decision::NoOpinion => return Then::Return(outcome),
    };
    retry_after((policy, recorder), template, retry, reason, hint, outcome)
}

/// A retry the classifiers allowed: within the retry count, the budget and the deadline.
fn retry_after(
    (policy, recorder): (&RetryPolicy, &Recorder),
    template: &Template,
    retry: u32,
    reason: &'static str,
    hint: Option<Duration>,
    outcome: AttemptResult,
) -> Then {
    let operation = template.meta().map_or("unknown", |m| m.name);
    let attempt = retry + 1;
    match next_step(policy, hint, retry, template.deadline()) {
        Next::Wait(delay) => {
            tracing::info!(
                operation,
                attempt,
                reason,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            recorder.retry(operation, reason);
            Then::Retry(delay)
        }
        Next::GiveUp(why) => {
            tracing::info!(operation, attempt, reason, why, "giving up");
            note_stop(template, why);
            Then::Return(outcome)
        }
    }
}

/// What the reads found decides the call: the invite it made, the one already pending, a
/// re-send (the create did not happen), or the unsettled failure with why it stays so.
fn settle(
    (policy, recorder): (&RetryPolicy, &Recorder),
    template: &Template,
    retry: u32,
    found: Result<Finding, String>,
    unsettled: Option<AttemptResult>,
) -> Then {
    let operation = template.meta().map_or("unknown", |m| m.name);
    let unsettled = unsettled.unwrap_or_else(|| Err("reconciled without a failure".into()));
    match found {
        Ok(Finding::Created(invite)) => {
            tracing::info!(operation, invite = %invite.id, "reconciled: the create took effect");
            note_reconciled(recorder, template, Reconciled::Created, None);
            Then::Return(created_answer(&invite))
        }
        Ok(Finding::AlreadyPending(invite)) => {
            tracing::info!(operation, invite = %invite.id, "reconciled: already invited");
            note_reconciled(recorder, template, Reconciled::AlreadyPending, None);
            let answer = match unsettled {
                Ok(mut response) => ResponseFacts::take(&mut response),
                Err(_) => None,
            };
            Then::Return(Err(Box::new(AlreadyInvited { invite, answer })))
        }
        Ok(Finding::NotCreated) => {
            tracing::info!(operation, "reconciled: the create did not take effect");
            note_reconciled(recorder, template, Reconciled::NotCreated, None);
            resend((policy, recorder), template, retry, unsettled)
        }
        Ok(Finding::Unsure(why)) => unknown(recorder, template, why.to_owned(), unsettled),
        Err(why) => unknown(recorder, template, why, unsettled),
    }
}

/// The create did not happen: sending it again is safe, as a retry like any other, when the
/// failure is one a retry may fix and the service did not say otherwise.
fn resend(
    (policy, recorder): (&RetryPolicy, &Recorder),
    template: &Template,
    retry: u32,
    mut unsettled: AttemptResult,
) -> Then {
    let decision = match &mut unsettled {
        Ok(response) => match ResponseFacts::of(response) {
            Some(facts) => classify(Attempted::Answered(facts), true),
            // A 2xx that did not decode, and did not create: the service misbehaved.
            None => Decision::Retry {
                reason: "the answer did not decode and created nothing",
                after: None,
            },
        },
        Err(error) => classify(Attempted::Failed(error), true),
    };
    match decision {
        Decision::Retry { reason, after } => retry_after(
            (policy, recorder),
            template,
            retry,
            reason,
            after,
            unsettled,
        ),
        Decision::Forbidden(reason) => {
            note_stop(template, reason);
            Then::Return(unsettled)
        }
        Decision::NoOpinion => Then::Return(unsettled),
    }
}

fn unknown(
    recorder: &Recorder,
    template: &Template,
    why: String,
    unsettled: AttemptResult,
) -> Then {
    let operation = template.meta().map_or("unknown", |m| m.name);
    tracing::warn!(operation, why = %why, "reconciliation could not tell whether the create took effect");
    note_reconciled(recorder, template, Reconciled::Failed, Some(why));
    Then::Return(unsettled)
}

/// Whether the service refused the create as a duplicate: a 409 whose error code is
/// `invite_already_exists`.
fn refused_as_duplicate(outcome: &AttemptResult) -> bool {
    let Ok(response) = outcome else {
        return false;
    };
    response.status() == http::StatusCode::CONFLICT
        && response
            .extensions()
            .get::<ResponseFacts>()
            .is_some_and(|facts| facts.api.code() == Some("invite_already_exists"))
}

/// The reads of a reconciliation, over a clone of the layers below.
fn reading<S>(
    below: S,
    policy: &RetryPolicy,
    template: &Template,
    (began, duplicate): (SystemTime, bool),
) -> Reading
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    let policy = policy.reconcile.clone();
    let uri = template.uri().clone();
    let body = template.body().clone();
    let context = template.context().cloned();
    Box::pin(async move {
        let search = (&uri, &body, began, duplicate);
        find_created(below, search, &policy, context.as_ref()).await
    })
}

/// Tells the client why the call was not retried (for the error message).
fn note_stop(template: &Template, reason: &'static str) {
    if let Some(context) = template.context() {
        context.note_stop(reason);
    }
}

fn note_reconciled(
    recorder: &Recorder,
    template: &Template,
    found: Reconciled,
    failure: Option<String>,
) {
    recorder.reconciled(template.meta().map_or("unknown", |m| m.name), found);
    if let Some(context) = template.context() {
        context.note_reconciled(found, failure);
    }
}
