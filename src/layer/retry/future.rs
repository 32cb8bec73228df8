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
use super::reconcile::{AlreadyInvited, Reconciled, Search, created_answer, find_created};
use super::service::{Next, next_step};
use super::template::Template;
use super::{Decision, RetryPolicy};
use crate::BoxError;
use crate::failure::{Failure, ResponseFacts, answered_success};
use crate::layer::context::CallContext;
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
        // The call's shared context, told how each attempt ended.
        context: Option<CallContext>,
        retry: u32,
        // When the call began (for a create that may need reconciling).
        began: SystemTime,
        // The attempts the context had counted before the one in flight: more after it means
        // the attempt reached the transport.
        attempts_before: u32,
        // Whether an attempt so far may have taken effect.
        ambiguous_before: bool,
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
        // Reading the service to settle `unsettled`, the failure returned if it cannot tell.
        Reconciling { reading: Reading, unsettled: Option<AttemptResult> },
        // The inner service failed before the first attempt.
        Failed { error: Option<BoxError> },
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
    S::Error: Into<BoxError>,
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
        let context = CallContext::of(&first).cloned();
        let attempts_before = context.as_ref().map_or(0, CallContext::attempts);
        // Most services are ready at once: ask without parking the task (a waker that does
        // nothing), and send the first attempt now. A service that is not ready is asked again
        // on the next poll, with the task's waker, so the wait happens inside the call.
        let mut probe = Context::from_waker(Waker::noop());
        let state = match inner.poll_ready(&mut probe) {
            Poll::Ready(Ok(())) => State::Calling {
                future: inner.call(first),
            },
            Poll::Ready(Err(error)) => State::Failed {
                error: Some(error.into()),
            },
            Poll::Pending => State::Ready { first: Some(first) },
        };
        Self {
            inner,
            policy,
            recorder,
            template,
            context,
            retry: 0,
            began: SystemTime::now(),
            attempts_before,
            ambiguous_before: false,
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
            // Whether an attempt before the one that just ended may have taken effect.
            let mut earlier = *this.ambiguous_before;
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
                    *this.attempts_before = this.context.as_ref().map_or(0, CallContext::attempts);
                    let future = this.inner.call(request);
                    this.state.set(State::Calling { future });
                    continue;
                }
                StateProj::Calling { future } => {
                    let outcome: AttemptResult = ready!(future.poll(cx)).map_err(Into::into);
                    let context = this.context.as_ref();
                    let sent = context.is_none_or(|c| c.attempts() > *this.attempts_before);
                    let (then, ambiguous) = match this.template.as_ref() {
                        Some(template) => {
                            let round = Round {
                                policy: this.policy,
                                recorder: this.recorder,
                                template,
                                retry: *this.retry,
                            };
                            after_attempt(&round, *this.ambiguous_before, sent, outcome)
                        }
                        None => ended(outcome, sent),
                    };
                    if let Some(context) = context {
                        context.end_attempt(ambiguous);
                    }
                    earlier = *this.ambiguous_before;
                    *this.ambiguous_before |= ambiguous;
                    then
                }
                StateProj::Backoff { sleep } => {
                    ready!(sleep.poll(cx));
                    *this.retry += 1;
                    this.state.set(State::Ready { first: None });
                    continue;
                }
                StateProj::Reconciling { reading, unsettled } => {
                    let found = ready!(reading.as_mut().poll(cx));
                    let (Some(template), Some(unsettled)) =
                        (this.template.as_ref(), unsettled.take())
                    else {
                        // Only reachable by polling again after completion.
                        return Poll::Ready(Err("polled after completion".into()));
                    };
                    let round = Round {
                        policy: this.policy,
                        recorder: this.recorder,
                        template,
                        retry: *this.retry,
                    };
                    settle(&round, found, unsettled)
                }
                StateProj::Failed { error } => {
                    let error = error.take();
                    return Poll::Ready(Err(
                        error.unwrap_or_else(|| "polled after completion".into())
                    ));
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
                    let search = Search {
                        began: *this.began,
                        // The service's "already has a pending invite" says the email had one
                        // before this attempt, not before the call: an earlier attempt of this
                        // call may have made it.
                        refused_as_duplicate: !earlier && refused_as_duplicate(&unsettled),
                        // After a timeout or a lost connection the service may still be at
                        // work, and after a 2xx it said it made the invite: a list without it
                        // is read again before the client concludes.
                        confirm: unsettled.is_err() || answered_success(unsettled.as_ref()),
                    };
                    let reading = reading(this.inner.clone(), this.policy, template, search);
                    this.state.set(State::Reconciling {
                        reading,
                        unsettled: Some(unsettled),
                    });
                }
            }
        }
    }
}

/// What the decisions after an attempt read.
struct Round<'a> {
    policy: &'a RetryPolicy,
    recorder: &'a Recorder,
    template: &'a Template,
    retry: u32,
}

impl Round<'_> {
    fn operation(&self) -> &'static str {
        self.template.meta().map_or("unknown", |m| m.name)
    }

    /// How this operation's ambiguous outcomes are settled.
    fn reconcile(&self) -> Reconciliation {
        match self.template.meta() {
            Some(meta) if self.policy.reconcile.enabled => meta.reconcile,
            _ => Reconciliation::None,
        }
    }

    fn note_stop(&self, reason: &'static str) {
        if let Some(context) = self.template.context() {
            context.note_stop(reason);
        }
    }

    fn note_reconciled(&self, found: Reconciled, failure: Option<String>) {
        self.recorder.reconciled(self.operation(), found);
        if let Some(context) = self.template.context() {
            context.note_reconciled(found, failure);
        }
    }
}

/// The class of a failed attempt, as the classifiers and the call's context see it.
fn attempted(outcome: &mut AttemptResult, sent: bool) -> Option<Attempted<'_>> {
    match outcome {
        Ok(response) => ResponseFacts::of(response).map(Attempted::Answered),
        Err(error) => Some(Attempted::Failed(Failure::of_error(error, sent))),
    }
}

/// An attempt with nothing to retry or reconcile: returned as it is; whether it was ambiguous.
fn ended(mut outcome: AttemptResult, sent: bool) -> (Then, bool) {
    let ambiguous = attempted(&mut outcome, sent).is_some_and(|a| a.failure().is_ambiguous());
    (Then::Return(outcome), ambiguous)
}

/// Decides what an attempt's outcome calls for: return it, retry after a wait, or read the
/// service to settle it. Also says whether the service may have acted on this attempt.
fn after_attempt(
    round: &Round<'_>,
    ambiguous_before: bool,
    sent: bool,
    mut outcome: AttemptResult,
) -> (Then, bool) {
    let operation = round.operation();
    let reconcile = round.reconcile();
    let meta = round.template.meta();
    let repeat_is_safe = round.policy.retry_non_idempotent || meta.is_some_and(|m| m.idempotent);
    if let Ok(response) = &outcome {
        if response.status().is_success() {
            // A 2xx: done, unless it is a create whose answer does not decode.
            if reconcile == Reconciliation::FindCreatedInvite
                && !reconcile::create_settled(response)
            {
                tracing::info!(
                    operation,
                    "the create's answer does not decode: reconciling"
                );
                return (Then::Reconcile(outcome), true);
            }
            return (Then::Return(outcome), false);
        }
    }
    let Some(attempt) = attempted(&mut outcome, sent) else {
        return (Then::Return(outcome), false);
    };
    let failure = attempt.failure();
    // A retried delete that finds the invite gone: an earlier attempt, which may have taken
    // effect, deleted it.
    if let Attempted::Answered(facts) = attempt {
        if reconcile == Reconciliation::NotFoundMeansDeleted
            && ambiguous_before
            && facts.api.status == http::StatusCode::NOT_FOUND
        {
            if let Some(answer) = reconcile::deleted_answer(round.template.uri()) {
                tracing::info!(operation, "the retry found the invite gone: deleted");
                round.note_reconciled(Reconciled::Deleted, None);
                return (Then::Return(Ok(answer)), false);
            }
        }
    }
    let decision = classify(attempt, repeat_is_safe);
    let ambiguous = failure.is_ambiguous();
    // Any failure of a create after it reached the service (a body over the cap included):
    // reading, not re-sending, says whether the create happened.
    let create_may_have_happened = ambiguous
        || (sent && outcome.is_err() && !matches!(failure, Failure::NotSent | Failure::Blocked(_)));
    if reconcile == Reconciliation::FindCreatedInvite && create_may_have_happened {
        let attempt = round.retry + 1;
        tracing::info!(
            operation,
            attempt,
            "the create may have taken effect: reconciling"
        );
        return (Then::Reconcile(outcome), true);
    }
    (decide(round, decision, outcome), ambiguous)
}

/// Follows a classification: a retry within the policy, or the outcome as it is.
fn decide(round: &Round<'_>, decision: Decision, outcome: AttemptResult) -> Then {
    let operation = round.operation();
    let attempt = round.retry + 1;
    let (reason, hint) = match decision {
        Decision::Retry { reason, after } => (reason, after),
        Decision::Forbidden(reason) => {
            tracing::debug!(operation, attempt, reason, "not retrying");
            round.note_stop(reason);
            return Then::Return(outcome);
        }
        Decision::NoOpinion => return Then::Return(outcome),
    };
    match next_step(round.policy, hint, round.retry, round.template.deadline()) {
        Next::Wait(delay) => {
            tracing::info!(
                operation,
                attempt,
                reason,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            round.recorder.retry(operation, reason);
            Then::Retry(delay)
        }
        Next::GiveUp(why) => {
            tracing::info!(operation, attempt, reason, why, "giving up");
            round.note_stop(why);
            Then::Return(outcome)
        }
    }
}

/// What the reads found decides the call: the invite it made, the one already pending, a
/// re-send (the create did not happen), or the unsettled failure with why it stays so.
fn settle(round: &Round<'_>, found: Result<Finding, String>, unsettled: AttemptResult) -> Then {
    let operation = round.operation();
    match found {
        Ok(Finding::Created(invite)) => {
            tracing::info!(operation, invite = %invite.id, "reconciled: the create took effect");
            round.note_reconciled(Reconciled::Created, None);
            Then::Return(created_answer(&invite))
        }
        Ok(Finding::AlreadyPending(invite)) => {
            tracing::info!(operation, invite = %invite.id, "reconciled: already invited");
            round.note_reconciled(Reconciled::AlreadyPending, None);
            let answer = match unsettled {
                Ok(mut response) => ResponseFacts::take(&mut response),
                Err(_) => None,
            };
            Then::Return(Err(Box::new(AlreadyInvited { invite, answer })))
        }
        // The service said it created the invite, and its list does not show it: it lags, or
        // misbehaves. Sending again could invite twice.
        Ok(Finding::NotCreated) if answered_success(unsettled.as_ref()) => unknown(
            round,
            "the service answered 2xx, but its list does not show the invite".to_owned(),
            unsettled,
        ),
        Ok(Finding::NotCreated) => {
            tracing::info!(operation, "reconciled: the create did not take effect");
            round.note_reconciled(Reconciled::NotCreated, None);
            resend(round, unsettled)
        }
        Ok(Finding::Unsure(why)) => unknown(round, why.to_owned(), unsettled),
        Err(why) => unknown(round, why, unsettled),
    }
}

/// The create did not happen: sending it again is safe, as a retry like any other, when the
/// failure is one a retry may fix and the service did not say otherwise.
fn resend(round: &Round<'_>, mut unsettled: AttemptResult) -> Then {
    let decision = match attempted(&mut unsettled, true) {
        Some(attempt) => classify(attempt, true),
        None => Decision::NoOpinion,
    };
    decide(round, decision, unsettled)
}

fn unknown(round: &Round<'_>, why: String, unsettled: AttemptResult) -> Then {
    let operation = round.operation();
    // The reason may quote the service's answer: scrubbed before it is logged or kept.
    let why = match round.template.context() {
        Some(context) => context.scrub(why),
        None => why,
    };
    tracing::warn!(operation, why = %why, "reconciliation could not tell whether the create took effect");
    round.note_reconciled(Reconciled::Failed, Some(why));
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
fn reading<S>(below: S, policy: &Arc<RetryPolicy>, template: &Template, search: Search) -> Reading
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    let policy = Arc::clone(policy);
    let uri = template.uri().clone();
    let body = template.body().clone();
    let context = template.context().cloned();
    Box::pin(
        async move { find_created(below, (&uri, &body), search, &policy, context.as_ref()).await },
    )
}
