//! `Call`: one typed call in flight, as `Client::send` and the operation methods return it.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::failure::ResponseFacts;
use crate::layer::context::CallContext;
use crate::layer::metrics::{CallTimer, Recorder};
use crate::stack::StackFuture;
use crate::{BoxError, Error};
use bytes::Bytes;
use openai_invites_core::Operation;
use pin_project_lite::pin_project;

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
        /// In the stack; the context is the one the stack's layers report into.
        Sending {
            #[pin] stack: StackFuture,
            context: CallContext,
            recorder: Recorder,
            timer: CallTimer,
        },
        /// The operation could not be encoded: nothing was sent. (`None` once returned.)
        Refused { error: Option<Error> },
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

    pub(crate) fn refused(error: Error) -> Self {
        Self {
            state: State::Refused { error: Some(error) },
            operation: PhantomData,
        }
    }
}

impl<O: Operation> Future for Call<O> {
    type Output = Result<O::Output, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        let output = match state.as_mut().project() {
            StateProj::Sending {
                stack,
                context,
                recorder,
                timer,
            } => {
                timer.start();
                let output = finish::<O>(ready!(stack.poll(cx)), context);
                let failed = output.as_ref().err().map(Error::kind);
                let attempts = match &output {
                    Ok(_) => context.attempts().max(1),
                    Err(e) => e.attempts(),
                };
                timer.finish(recorder, &O::META, failed, attempts);
                output
            }
            StateProj::Refused { error } => match error.take() {
                Some(error) => Err(error),
                None => panic!("`Call` polled after completion"),
            },
            StateProj::Done => panic!("`Call` polled after completion"),
        };
        state.set(State::Done);
        Poll::Ready(output)
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

/// Turns what the stack answered into the operation's output, or an error that says how many
/// attempts were made and why the retry layer stopped.
fn finish<O: Operation>(
    result: Result<http::Response<Bytes>, BoxError>,
    context: &CallContext,
) -> Result<O::Output, Error> {
    let attempts = context.attempts();
    let mut response = result.map_err(|e| {
        let error = Error::from_stack(&O::META, e);
        let attempts = attempts.max(error.attempts());
        error.with_attempts(attempts).with_notes(context.notes())
    })?;
    if let Some(facts) = ResponseFacts::take(&mut response) {
        return Err(Error::answered(&O::META, facts)
            .with_attempts(attempts.max(1))
            .with_notes(context.notes()));
    }
    O::decode(response).map_err(|e| {
        Error::response(&O::META, e)
            .with_attempts(attempts.max(1))
            .with_notes(context.notes())
    })
}
