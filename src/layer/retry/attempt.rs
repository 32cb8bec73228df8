//! `Attempt`: one attempt's outcome, and what the policy weighs with it.

use bytes::Bytes;
use openai_invites_core::OperationMeta;
use openai_invites_core::reconcile::{self, Reconciliation};

use super::rules::Failed;
use crate::BoxError;
use crate::failure::{Ended, ResponseFacts};
use crate::layer::Deadline;
use crate::layer::classify::classify;

/// One attempt of a call, as [`RetryPolicy::decide`](super::RetryPolicy::decide) weighs it:
/// its operation, what it came back with, the retries made before it and the call's deadline.
///
/// ```
/// use openai_invites::core::{InviteUser, ListInvites, Operation};
/// use openai_invites::layer::retry::{Action, Attempt, RetryPolicy};
/// use openai_invites::{BoxError, bytes::Bytes, http};
///
/// let policy = RetryPolicy::default();
/// let unavailable = || -> Result<_, BoxError> {
///     Ok(http::Response::builder().status(503).body(Bytes::new())?)
/// };
/// let (invite_user, list_invites) = (InviteUser::META, ListInvites::META);
/// // A create answered 503 may have been made: the invites are read, it is not sent again.
/// let mut answer = unavailable();
/// let create = Attempt::new(&invite_user, &mut answer);
/// assert_eq!(policy.decide(&create), Action::Reconcile);
/// // The same answer to a read: sent again after a backoff, until the retries are spent.
/// let mut answer = unavailable();
/// let read = Attempt::new(&list_invites, &mut answer);
/// assert!(matches!(policy.decide(&read), Action::Retry { .. }));
/// let last = read.retry(policy.max_retries);
/// assert_eq!(policy.decide(&last), Action::GiveUp("no retries left"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub(crate) meta: Option<&'a OperationMeta>,
    pub(crate) outcome: Outcome<'a>,
    /// Retries made before this attempt.
    pub(crate) retry: u32,
    /// An earlier attempt of the call may have taken effect.
    pub(crate) acted_before: bool,
    /// The call's deadline, if it has one.
    pub(crate) deadline: Option<Deadline>,
    /// Reading the service found that this create did not take effect: sending it again is
    /// safe, whatever the operation.
    pub(crate) found_not_created: bool,
    /// The call lets the client search for an ambiguous create (it was not made
    /// [`without_reconciliation`](crate::Call::without_reconciliation)).
    pub(crate) call_reconciles: bool,
}

/// What an attempt came back with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// A 2xx; `settled`: its body says what was done (for a create, it is the invite; false
    /// for a body over the cap).
    Success { settled: bool },
    /// A non-2xx answer, or an error.
    Failed(Failed<'a>),
}

impl<'a> Attempt<'a> {
    /// The first attempt of `meta`'s operation, which came back with `result`: the answer,
    /// or the error of the layers below the retry loop (read by the client's one
    /// classification, so an error of the client's wrapped by a layer of yours counts as
    /// what it wraps).
    pub fn new(
        meta: &'a OperationMeta,
        result: &'a mut Result<http::Response<Bytes>, BoxError>,
    ) -> Self {
        Self::of(Some(meta), result)
    }

    /// This attempt is retry number `retries` (the first attempt is 0).
    pub fn retry(self, retries: u32) -> Self {
        Self {
            retry: retries,
            ..self
        }
    }

    /// Whether an earlier attempt of the call may have taken effect (a delete's 404 then
    /// means that attempt deleted the invite).
    pub fn acted_before(self, acted: bool) -> Self {
        Self {
            acted_before: acted,
            ..self
        }
    }

    /// The call's deadline: no wait that would pass it is started.
    pub fn deadline(self, deadline: Deadline) -> Self {
        Self {
            deadline: Some(deadline),
            ..self
        }
    }

    /// The attempt of an operation (`None`: not one of the client's) that came back with
    /// `result`.
    pub(crate) fn of(
        meta: Option<&'a OperationMeta>,
        result: &'a mut Result<http::Response<Bytes>, BoxError>,
    ) -> Self {
        let creates = meta.is_some_and(|m| m.reconcile == Reconciliation::FindCreatedInvite);
        let outcome = match result {
            Ok(response) if response.status().is_success() => Outcome::Success {
                settled: !creates || reconcile::create_settled(response),
            },
            // Facts are read from any other status: `None` cannot happen.
            Ok(response) => ResponseFacts::of(response)
                .map_or(Outcome::Success { settled: false }, |facts| {
                    Outcome::Failed(Failed::Answered(facts))
                }),
            Err(error) => {
                let found = classify(error.as_ref());
                match found.answered_success() {
                    // A 2xx whose body was over the cap: the service acted, unread.
                    true => Outcome::Success { settled: false },
                    false => Outcome::Failed(Failed::Error(found.failure)),
                }
            }
        };
        Self {
            meta,
            outcome,
            retry: 0,
            acted_before: false,
            deadline: None,
            found_not_created: false,
            call_reconciles: true,
        }
    }

    /// Whether the attempt may have reached the service.
    pub(crate) fn reached(&self) -> bool {
        match self.outcome {
            Outcome::Failed(Failed::Error(failure)) => failure.reached(),
            _ => true,
        }
    }

    /// Whether the service may have acted on this attempt.
    pub(crate) fn may_have_acted(&self) -> bool {
        match self.outcome {
            Outcome::Success { .. } => true,
            Outcome::Failed(Failed::Answered(facts)) => facts.failure.is_ambiguous(),
            // An error that leaves it open (lost after sending, a timeout, a 5xx too large to
            // read), as for an answer.
            Outcome::Failed(Failed::Error(failure)) => failure.is_ambiguous(),
        }
    }

    /// How it ended, for [`failure::effect`](crate::failure::effect).
    pub(crate) fn ended(&self) -> Ended {
        match self.outcome {
            Outcome::Success { settled } => Ended::Answered { readable: settled },
            Outcome::Failed(_) => Ended::Failed {
                may_have_acted: self.may_have_acted(),
            },
        }
    }
}
