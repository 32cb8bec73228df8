//! `RetryFuture`: the loop. Send an attempt, ask the policy what its outcome calls for, act
//! on the answer (wait and send again, read the service, or hand the outcome back), repeat.
//! A named state machine, so a call's retry state lives inline in the caller's future.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};
use std::time::SystemTime;

use bytes::Bytes;
use openai_invites_core::OperationMeta;
use openai_invites_core::reconcile::Finding;
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower_service::Service;

use super::round::Round;
use super::template::Template;
use super::{Action, RetryPolicy};
use crate::BoxError;
use crate::failure::changes_state as changes;
use crate::layer::context::CallContext;
use crate::layer::metrics::Recorder;

/// What one attempt came back with.
pub(super) type AttemptResult = Result<http::Response<Bytes>, BoxError>;

/// A reconciliation's reads, in flight (boxed: they are rare).
pub(super) type Reading = Pin<Box<dyn Future<Output = Result<Finding, String>> + Send>>;

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
        // Boxed: the future is moved through every layer's `call` above, by value.
        template: Option<Box<Template>>,
        // The call's shared context, told how each attempt ended, when there is no template
        // to hold it.
        context: Option<CallContext>,
        // The operation, when there is no template to hold it.
        meta: Option<Box<OperationMeta>>,
        retry: u32,
        // Some attempt so far may have taken effect.
        acted: bool,
        // When the call began (for a create that may need reconciling).
        began: SystemTime,
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
        Waiting { #[pin] sleep: Sleep },
        // Reading the service to settle `unsettled`, the outcome returned if it cannot tell;
        // `acted_before`: whether an attempt before it may have taken effect.
        Reconciling { reading: Reading, unsettled: Option<AttemptResult>, acted_before: bool },
        // The inner service failed before the first attempt.
        Failed { error: Option<BoxError> },
    }
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
        (template, meta): (Option<Box<Template>>, Option<Box<OperationMeta>>),
        first: http::Request<Bytes>,
    ) -> Self {
        let context = match &template {
            Some(_) => None,
            None => CallContext::of(&first).cloned(),
        };
        // Most services are ready at once: ask without parking the task (a waker that does
        // nothing), and send the first attempt now. A service that is not ready is asked again
        // on the next poll, with the task's waker, so the wait happens inside the call.
        let mut probe = Context::from_waker(Waker::noop());
        let state = match inner.poll_ready(&mut probe) {
            Poll::Ready(Ok(())) => {
                let held = context.as_ref();
                if let Some(context) = held.or_else(|| template.as_ref()?.context()) {
                    let known = template.as_deref().and_then(Template::meta);
                    context.begin_attempt(known.or(meta.as_deref()).is_none_or(changes));
                }
                State::Calling {
                    future: inner.call(first),
                }
            }
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
            meta,
            retry: 0,
            acted: false,
            began: SystemTime::now(),
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
            let round = Round {
                policy: this.policy,
                recorder: this.recorder,
                template: this.template.as_deref(),
                meta: (this.template.as_deref().and_then(Template::meta)).or(this.meta.as_deref()),
                context: this
                    .context
                    .as_ref()
                    .or_else(|| this.template.as_deref()?.context()),
                retry: *this.retry,
            };
            let (action, outcome, acted_before) = match this.state.as_mut().project() {
                StateProj::Ready { first } => {
                    if let Err(e) = ready!(this.inner.poll_ready(cx)) {
                        return Poll::Ready(Err(e.into()));
                    }
                    let request = match (first.take(), round.template) {
                        (Some(original), _) => original,
                        (None, Some(template)) => template.attempt(*this.retry),
                        // Only a retry comes here without the original, and there is none
                        // without a template.
                        (None, None) => return Poll::Ready(Err("retry without a template".into())),
                    };
                    if let Some(context) = round.context {
                        context.begin_attempt(round.meta.is_none_or(changes));
                    }
                    let future = this.inner.call(request);
                    this.state.set(State::Calling { future });
                    continue;
                }
                StateProj::Calling { future } => {
                    let mut outcome = ready!(future.poll(cx)).map_err(Into::into);
                    let acted_before = *this.acted;
                    let (action, acted) = round.after_attempt(&mut outcome, acted_before);
                    *this.acted |= acted;
                    (action, outcome, acted_before)
                }
                StateProj::Waiting { sleep } => {
                    ready!(sleep.poll(cx));
                    *this.retry += 1;
                    this.state.set(State::Ready { first: None });
                    continue;
                }
                StateProj::Reconciling {
                    reading,
                    unsettled,
                    acted_before,
                } => {
                    let found = ready!(reading.as_mut().poll(cx));
                    let Some(mut outcome) = unsettled.take() else {
                        return Poll::Ready(Err("polled after completion".into()));
                    };
                    let action = round.settle(found, &mut outcome, *acted_before);
                    (action, outcome, *acted_before)
                }
                StateProj::Failed { error } => {
                    let error = error.take();
                    return Poll::Ready(Err(
                        error.unwrap_or_else(|| "polled after completion".into())
                    ));
                }
            };
            if action == Action::Reconcile {
                let search = round.search(*this.began, acted_before, &outcome);
                let reading = round.reading(this.inner.clone(), search);
                this.state.set(State::Reconciling {
                    reading,
                    unsettled: Some(outcome),
                    acted_before,
                });
                continue;
            }
            match round.act(action) {
                Some(after) => this.state.set(State::Waiting {
                    sleep: tokio::time::sleep(after),
                }),
                None if action == Action::Deleted => return Poll::Ready(round.deleted(outcome)),
                None => return Poll::Ready(outcome),
            }
        }
    }
}
