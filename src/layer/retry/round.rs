//! `Round`: what the retry loop does around each of the policy's decisions: classify the
//! attempt that ended, tell the call's context, carry out the action (events, notes, metrics,
//! the budget), and start or settle a reconciliation.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use openai_invites_core::OperationMeta;
use openai_invites_core::reconcile::{self, Finding};
use tower_service::Service;

use super::attempt::{Attempt, Outcome};
use super::future::{AttemptResult, Reading};
use super::rules::Failed;
use super::template::Template;
use super::{Action, Retry, RetryPolicy};
use crate::BoxError;
use crate::failure::{self, Failure, ResponseFacts};
use crate::layer::classify::classify;
use crate::layer::context::CallContext;
use crate::layer::metrics::Recorder;
use crate::layer::reconcile::{
    AlreadyInvited, Reader, Reconciled, Search, created_answer, find_created,
};

/// What the loop's decisions read, for one round.
pub(super) struct Round<'a> {
    pub(super) policy: &'a Arc<RetryPolicy>,
    pub(super) recorder: &'a Recorder,
    pub(super) template: Option<&'a Template>,
    /// The operation (the template's, or the loop's own copy when there is none).
    pub(super) meta: Option<&'a OperationMeta>,
    pub(super) context: Option<&'a CallContext>,
    pub(super) retry: u32,
}

impl Round<'_> {
    /// Whether the call lets the client reconcile (see [`Call::without_reconciliation`]).
    ///
    /// [`Call::without_reconciliation`]: crate::Call::without_reconciliation
    fn call_reconciles(&self) -> bool {
        self.context.is_none_or(CallContext::reconciles)
    }

    fn operation(&self) -> &'static str {
        self.meta.map_or("unknown", |m| m.name)
    }

    /// Classifies the attempt that ended, tells the call's context, and asks the policy what
    /// to do; also says whether the service may have acted on it.
    pub(super) fn after_attempt(
        &self,
        outcome: &mut AttemptResult,
        acted_before: bool,
    ) -> (Action, bool) {
        let meta = self.meta;
        let attempt = Attempt {
            retry: self.retry,
            acted_before,
            // Read only when there is a wait to weigh (below).
            deadline: None,
            call_reconciles: self.call_reconciles(),
            ..Attempt::of(meta, outcome)
        };
        let outcome = attempt.outcome;
        // A 2xx is not counted as acted on here: it ends the call, or its create is read.
        let acted = !matches!(outcome, Outcome::Success { .. }) && attempt.may_have_acted();
        if let Some(context) = self.context {
            let held = matches!(outcome, Outcome::Failed(Failed::Error(Failure::Held(_))));
            let effect = failure::effect(meta, attempt.ended());
            context.end_attempt(!held, attempt.reached(), effect);
        }
        match (self.template, outcome) {
            // Neither a retry nor a reconciliation is allowed, or a 2xx settled the call:
            // nothing to decide.
            (None, _) | (_, Outcome::Success { settled: true }) => (Action::Return, acted),
            (Some(template), _) => {
                let deadline = template.deadline();
                let attempt = Attempt {
                    deadline,
                    ..attempt
                };
                (self.policy.decide(&attempt), acted)
            }
        }
    }

    /// What reading found decides the call: the invite it made, the one already pending, a
    /// re-send (the create did not happen, so the policy weighs it as any retry), or the
    /// unsettled outcome with why it stays so.
    pub(super) fn settle(
        &self,
        found: Result<Finding, String>,
        outcome: &mut AttemptResult,
        acted_before: bool,
    ) -> Action {
        let operation = self.operation();
        let (reconciled, why) = match found {
            Ok(Finding::Created(invite)) => {
                tracing::info!(operation, invite = %invite.id, "reconciled: the create took effect");
                *outcome = created_answer(&invite);
                (Reconciled::Created, None)
            }
            Ok(Finding::AlreadyPending(invite)) => {
                tracing::info!(operation, invite = %invite.id, "reconciled: already invited");
                let answer = match outcome {
                    Ok(response) => ResponseFacts::take(response).map(|facts| facts.api),
                    Err(_) => None,
                };
                *outcome = Err(Box::new(AlreadyInvited { invite, answer }));
                (Reconciled::AlreadyPending, None)
            }
            Ok(Finding::NotCreated) => {
                tracing::info!(operation, "reconciled: the create did not take effect");
                (Reconciled::NotCreated, None)
            }
            Ok(Finding::Unsure(why)) => (Reconciled::Failed, Some(why.to_owned())),
            Err(why) => (Reconciled::Failed, Some(why)),
        };
        let why = why.map(|why| match self.context {
            // The reason may quote the service's answer: scrubbed before it is logged or kept.
            Some(context) => context.scrub(why),
            None => why,
        });
        if let Some(why) = &why {
            tracing::warn!(operation, why = %why, "reconciliation could not tell whether the create took effect");
        }
        self.note_reconciled(reconciled, why);
        if reconciled != Reconciled::NotCreated {
            return Action::Return;
        }
        let attempt = Attempt {
            retry: self.retry,
            acted_before,
            deadline: self.template.and_then(Template::deadline),
            found_not_created: true,
            call_reconciles: self.call_reconciles(),
            ..Attempt::of(self.meta, outcome)
        };
        // A 2xx is never found not made (its list is read again until it shows the invite).
        if let Outcome::Success { .. } = attempt.outcome {
            return Action::Return;
        }
        self.policy.decide(&attempt)
    }

    /// Carries out the events, notes and metrics of `action`; the wait before the next attempt
    /// when it is a retry the budget allows.
    pub(super) fn act(&self, action: Action) -> Option<Duration> {
        if action == Action::Return {
            return None;
        }
        let operation = self.operation();
        let attempt = self.retry + 1;
        match action {
            Action::Retry { reason, after } if self.policy.budget.withdraw() => {
                let delay_ms = after.as_millis() as u64;
                tracing::info!(operation, attempt, reason, delay_ms, "retrying");
                self.recorder.retry(operation, reason);
                return Some(after);
            }
            Action::Retry { reason, .. } => {
                let why = "the retry budget is spent";
                tracing::info!(operation, attempt, reason, why, "giving up");
                self.note_stop(why);
            }
            Action::GiveUp(why) => {
                tracing::info!(operation, attempt, why, "giving up");
                self.note_stop(why);
            }
            Action::Deleted => {
                tracing::info!(operation, "the retry found the invite gone: deleted");
                self.note_reconciled(Reconciled::Deleted, None);
            }
            Action::Reconcile | Action::Return => {}
        }
        None
    }

    /// A delete's success, when an earlier attempt did it (else the outcome as it is).
    pub(super) fn deleted(&self, outcome: AttemptResult) -> AttemptResult {
        let deleted = self
            .template
            .and_then(|t| reconcile::deleted_answer(t.uri()));
        deleted.map_or(outcome, Ok)
    }

    /// How the reads settle the create that ended with `outcome`.
    pub(super) fn search(
        &self,
        began: SystemTime,
        acted_before: bool,
        outcome: &AttemptResult,
    ) -> Search {
        let answered_success = match outcome {
            Ok(response) => response.status().is_success(),
            Err(error) => classify(error.as_ref()).answered_success(),
        };
        Search {
            began,
            // The service's "already has a pending invite" says the email had one before this
            // attempt, not before the call: an earlier attempt of this call may have made it.
            refused_as_duplicate: !acted_before && refused_as_duplicate(outcome),
            // After a timeout, a lost connection or a gateway's answer (the origin behind it
            // may not have finished) the service may still be at work, and after a 2xx it said
            // it made the invite: a list without it is read again.
            confirm: match outcome {
                Ok(response) => {
                    answered_success || failure::may_still_be_at_work(response.status())
                }
                Err(_) => true,
            },
            answered_success,
        }
    }

    /// The reads of a reconciliation, over a clone of the layers below: each page goes
    /// through a loop of its own, with this policy's retries (a read is part of its call:
    /// it deposits nothing in the budget); a page whose 2xx body does not decode is read
    /// again, as a retry the budget allows.
    pub(super) fn reading<S>(&self, below: S, search: Search) -> Reading
    where
        S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Clone + Send + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send,
    {
        let Some(template) = self.template else {
            return Box::pin(std::future::ready(Err("nothing to read with".to_owned())));
        };
        let create = (template.uri().clone(), template.body().clone());
        let context = self.context.map(CallContext::for_reads);
        let reads = Retry::new(below, self.policy.clone(), self.recorder.clone());
        let policy = self.policy.clone();
        let (retries, budget) = (policy.max_retries, policy.budget.clone());
        Box::pin(async move {
            let mut again = 0;
            let reader = Reader {
                read: move |request| reads.start(request, false),
                again: move || {
                    again += 1;
                    again <= retries && budget.withdraw()
                },
                context,
            };
            find_created((&create.0, &create.1), search, &policy.reconcile, reader).await
        })
    }

    fn note_stop(&self, reason: &'static str) {
        if let Some(context) = self.context {
            context.note_stop(reason);
        }
    }

    fn note_reconciled(&self, found: Reconciled, failure: Option<String>) {
        self.recorder.reconciled(self.operation(), found);
        if let Some(context) = self.context {
            context.note_reconciled(found, failure);
        }
    }
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
            .is_some_and(|facts| facts.api.is_invite_already_exists())
}
