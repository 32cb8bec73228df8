//! `Call`: one typed call in flight, as `Client::send` and the operation methods return it.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use crate::failure::{self, Effect, Ended, ResponseFacts};
use crate::layer::context::CallContext;
use crate::layer::metrics::{CallTimer, Recorder};
use crate::scrub::Secrets;
use crate::stack::StackFuture;
use crate::{BoxError, CallInfo, Error};
use bytes::Bytes;
use openai_invites_core::Operation;
use pin_project_lite::pin_project;
use tokio::time::Instant;

pin_project! {
    /// The future of one call: it resolves to the operation's decoded output, or an [`Error`]
    /// that says how many attempts were made and why the client stopped.
    ///
    /// The operation is encoded when the call is made; nothing is sent, and no timeout starts,
    /// until the first poll. The future holds the call in the client's stack (one allocation),
    /// not the operation. It is a named type, `Send`, `Unpin` and `'static`, so it can be
    /// stored in a struct, spawned, used in `select!` as it is, or be the `Future` of a tower
    /// service.
    ///
    /// ```no_run
    /// # async fn run(client: openai_invites::Client) -> Result<(), openai_invites::Error> {
    /// // Start two calls, then wait for both: each runs as its own task.
    /// let first = tokio::spawn(client.retrieve_invite("invite-abc"));
    /// let second = tokio::spawn(client.retrieve_invite("invite-def"));
    /// let (first, second) = (first.await, second.await);
    /// # let _ = (first, second);
    /// # Ok(()) }
    /// ```
    ///
    /// What the service said about a successful call (request id, rate-limit headers) and
    /// what it took (attempts, elapsed time) come with [`with_info`](Self::with_info).
    ///
    /// # Panics
    ///
    /// Like most futures, it panics if polled again after it has returned `Poll::Ready`.
    #[must_use = "futures do nothing unless polled"]
    pub struct Call<O> {
        #[pin]
        state: State,
        // `fn() -> O`: the call owns no `O`, so its auto traits do not depend on `O`'s.
        operation: PhantomData<fn() -> O>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State {
        /// In the stack; the context is the one the stack's layers report into (with the
        /// secrets an error is scrubbed of), the recorder and timer the call's metrics.
        Sending {
            #[pin] stack: StackFuture,
            context: CallContext,
            recorder: Recorder,
            timer: CallTimer,
        },
        /// The operation could not be encoded: nothing was sent. (`None` once returned; the
        /// recorder counts the call when it is polled, as any other.)
        Refused { error: Option<Error>, recorder: Recorder },
        /// The output was returned.
        Done,
    }
}

impl<O: Operation> Call<O> {
    pub(crate) fn sending(stack: StackFuture, context: CallContext, recorder: Recorder) -> Self {
        Self {
            state: State::Sending {
                stack,
                context,
                recorder,
                timer: CallTimer::default(),
            },
            operation: PhantomData,
        }
    }

    pub(crate) fn refused(error: Error, recorder: Recorder) -> Self {
        Self {
            state: State::Refused {
                error: Some(error),
                recorder,
            },
            operation: PhantomData,
        }
    }
}

impl<O: Operation> Call<O> {
    /// The call, resolving to its output together with what the service said about it and
    /// what it took ([`CallInfo`]). Errors are the same as the call's own.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use openai_invites::{Client, InviteRequest, InviteRole};
    /// use openai_invites_mock::FakeInvites;
    ///
    /// let fake = FakeInvites::new();
    /// let client = Client::builder().admin_key(fake.admin_key()).transport(fake.service()).build()?;
    /// let invite = client.invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader)).await?;
    /// let (same, info) = client.retrieve_invite(&invite.id).with_info().await?;
    /// assert_eq!(same.id, invite.id);
    /// assert!(info.request_id().is_some());
    /// # Ok(()) }
    /// ```
    pub fn with_info(self) -> WithInfo<O> {
        WithInfo {
            call: self,
            started: None,
        }
    }

    /// The call, with the search that settles an ambiguous create turned off for it alone,
    /// whatever the client's [`reconcile_invites`](crate::ClientBuilder::reconcile_invites)
    /// says.
    ///
    /// An ambiguous failure of a create (a timeout, a lost connection, a 5xx) then comes back
    /// as the error, with [`Error::is_outcome_unknown`] true, and no page of invites is read
    /// to settle it; it is never re-sent either. For a caller that settles many creates
    /// together with one read of its own (as a roster sync does) instead of one search per
    /// create. Only creates are affected: a delete still counts a retry's 404 after an
    /// ambiguous attempt as done (that rule reads nothing), and reads are never reconciled.
    /// Set it before the call is first polled; set later, it applies to the decisions the
    /// retry loop makes from then on.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use openai_invites::{Client, InviteRequest, InviteRole};
    /// use openai_invites_mock::{FakeInvites, Fault};
    ///
    /// let fake = FakeInvites::new();
    /// let client = Client::builder().admin_key(fake.admin_key()).transport(fake.service()).build()?;
    /// // The service makes the invite, then answers 503: was it made?
    /// fake.push_fault(Fault::status(503).apply_first());
    /// let request = InviteRequest::new("ana@example.com", InviteRole::Reader);
    /// let error = client.invite_user(request).without_reconciliation().await.unwrap_err();
    /// assert!(error.is_outcome_unknown());
    /// assert_eq!(fake.request_count(), 1); // no read, no second create
    /// # Ok(()) }
    /// ```
    pub fn without_reconciliation(self) -> Self {
        if let State::Sending { context, .. } = &self.state {
            context.turn_off_reconciliation();
        }
        self
    }

    /// Polls the stack; on completion, the 2xx answer, or the error (scrubbed).
    fn poll_answer(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Answer, Error>> {
        let mut state = self.project().state;
        let answer = match state.as_mut().project() {
            StateProj::Sending {
                stack,
                context,
                recorder,
                timer,
            } => {
                timer.start();
                let result = ready!(stack.poll(cx));
                let meter = Meter {
                    recorder: recorder.clone(),
                    timer: std::mem::take(timer),
                };
                Answer::of::<O>(result, context.clone(), meter)
            }
            StateProj::Refused { error, recorder } => match error.take() {
                Some(error) => {
                    let mut meter = Meter {
                        recorder: recorder.clone(),
                        timer: CallTimer::default(),
                    };
                    meter.timer.start();
                    meter.finish::<O>(Some(&error), 0);
                    Err(error)
                }
                None => panic!("`Call` polled after completion"),
            },
            StateProj::Done => panic!("`Call` polled after completion"),
        };
        state.set(State::Done);
        Poll::Ready(answer)
    }
}

impl<O: Operation> Future for Call<O> {
    type Output = Result<O::Output, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let answer = ready!(self.poll_answer(cx));
        Poll::Ready(answer.and_then(Answer::decode::<O>))
    }
}

pin_project! {
    /// A [`Call`] that also returns what the service said about it: made by
    /// [`Call::with_info`]. The clock for [`CallInfo::elapsed`] starts at the first poll.
    #[must_use = "futures do nothing unless polled"]
    pub struct WithInfo<O> {
        #[pin]
        call: Call<O>,
        started: Option<Instant>,
    }
}

impl<O: Operation> Future for WithInfo<O> {
    type Output = Result<(O::Output, CallInfo), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let started = *this.started.get_or_insert_with(Instant::now);
        let answer = match ready!(this.call.poll_answer(cx)) {
            Ok(answer) => answer,
            Err(error) => return Poll::Ready(Err(error)),
        };
        let info = CallInfo::new(
            answer.response.status(),
            answer.response.headers().clone(),
            answer.attempts,
            started.elapsed(),
            answer.context.notes().reconciled,
            &secrets_of(&answer.context),
        );
        Poll::Ready(answer.decode::<O>().map(|output| (output, info)))
    }
}

impl<O> fmt::Debug for WithInfo<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithInfo")
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl<O> fmt::Debug for Call<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Sending { .. } => "sending",
            State::Refused { .. } => "refused",
            State::Done => "done",
        };
        f.debug_struct("Call")
            .field("operation", &std::any::type_name::<O>())
            .field("state", &state)
            .finish()
    }
}

/// A 2xx answer, with what decoding needs to report an error: the call's context (its
/// notes and secrets are read only when there is an error, or on request).
struct Answer {
    response: http::Response<Bytes>,
    attempts: u32,
    context: CallContext,
    meter: Meter,
}

/// The call's metrics: recorded once its result is known (nothing without the feature).
struct Meter {
    recorder: Recorder,
    timer: CallTimer,
}

impl Meter {
    /// The call ended, with `failed` when it failed.
    fn finish<O: Operation>(&self, failed: Option<&Error>, attempts: u32) {
        let failed = failed.map(Error::kind);
        self.timer
            .finish(&self.recorder, &O::META, failed, attempts);
    }
}

impl Answer {
    /// What the stack answered: a 2xx, or an error that says how many attempts were made and
    /// why the retry layer stopped, scrubbed of the client's secrets.
    fn of<O: Operation>(
        result: Result<http::Response<Bytes>, BoxError>,
        context: CallContext,
        meter: Meter,
    ) -> Result<Self, Error> {
        let attempts = context.attempts();
        let failed = |error: Error| {
            let error = error
                .with_notes(context.notes())
                .scrubbed(&secrets_of(&context));
            meter.finish::<O>(Some(&error), error.attempts());
            error
        };
        let mut response = match result {
            Ok(response) => response,
            Err(e) => {
                let error = Error::from_stack(&O::META, e);
                let attempts = attempts.max(error.attempts());
                return Err(failed(error.with_attempts(attempts)));
            }
        };
        if let Some(facts) = ResponseFacts::take(&mut response) {
            let error = Error::answered(&O::META, facts).with_attempts(attempts.max(1));
            return Err(failed(error));
        }
        Ok(Self {
            response,
            attempts: attempts.max(1),
            context,
            meter,
        })
    }

    /// The operation's output, or the decode error (scrubbed: a body may echo the request).
    fn decode<O: Operation>(self) -> Result<O::Output, Error> {
        let Self {
            response,
            attempts,
            context,
            meter,
        } = self;
        let output = O::decode(response).map_err(|e| {
            // A 2xx the client cannot read, as the retry loop weighs one.
            let mut notes = context.notes();
            let unread = Ended::Answered { readable: false };
            notes.maybe_acted |= failure::effect(Some(&O::META), unread) == Effect::Unknown;
            Error::response(&O::META, e)
                .with_attempts(attempts)
                .with_notes(notes)
                .scrubbed(&secrets_of(&context))
        });
        meter.finish::<O>(output.as_ref().err(), attempts);
        output
    }
}

/// The secrets the call's errors are scrubbed of (none for a context made outside a client).
fn secrets_of(context: &CallContext) -> Arc<Secrets> {
    context.secrets().cloned().unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use openai_invites_mock::{FakeInvites, Fault};

    use crate::{Client, InviteRequest, InviteRole};

    fn client(fake: &FakeInvites) -> Client {
        Client::builder()
            .admin_key(fake.admin_key())
            .transport(fake.service())
            .no_rate_limit()
            .reconcile_settle_delay(std::time::Duration::ZERO)
            .build()
            .unwrap()
    }

    fn ana() -> InviteRequest {
        InviteRequest::new("ana@example.com", InviteRole::Reader)
    }

    #[tokio::test]
    async fn an_ambiguous_create_without_reconciliation_is_returned_unread() {
        let fake = FakeInvites::new();
        let client = client(&fake);
        // The service makes the invite, then the connection drops before the answer.
        fake.push_fault(Fault::drop_connection().apply_first());
        let error = client
            .invite_user(ana())
            .without_reconciliation()
            .await
            .unwrap_err();
        assert!(error.is_outcome_unknown(), "{error}");
        assert_eq!(error.reconciled(), None);
        assert_eq!(fake.request_count(), 1, "no page read, no second create");
        assert_eq!(fake.invites().len(), 1);
    }

    #[tokio::test]
    async fn the_switch_is_per_call() {
        let fake = FakeInvites::new();
        let client = client(&fake);
        fake.push_fault(Fault::drop_connection().apply_first());
        // The same client, a call that reconciles: it reads and finds the invite it made.
        let invite = client.invite_user(ana()).await.unwrap();
        assert_eq!(fake.invites()[0].id, invite.id);
        assert!(fake.request_count() >= 2);
        // And a read is unaffected by the switch.
        let page = client
            .list_invites(crate::ListInvites::new())
            .without_reconciliation()
            .await
            .unwrap();
        assert_eq!(page.data.len(), 1);
    }

    #[tokio::test]
    async fn a_delete_without_reconciliation_still_counts_a_retrys_404_as_done() {
        use openai_invites_core::{DeleteInvite, Operation};
        use openai_invites_mock::Match;

        let fake = FakeInvites::new();
        let client = client(&fake);
        let id = fake.seed(ana()).id;
        // The service deletes the invite, then answers 503; the retry finds it gone.
        let fault = Fault::status(503).apply_first();
        fake.push_fault(fault.matching(Match::Operation(DeleteInvite::META)));
        let deleted = client.delete_invite(&id).without_reconciliation().await;
        let deleted = deleted.unwrap();
        assert!(deleted.deleted && deleted.id == id, "{deleted:?}");
        assert_eq!(
            fake.request_count(),
            2,
            "the delete and its retry, nothing read"
        );
        assert!(fake.invites().is_empty());
    }
}
