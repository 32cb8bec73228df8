//! `RetryPolicy`: the settings, and the pure decision the loop asks after each attempt.

use std::time::Duration;

use openai_invites_core::OperationMeta;
use openai_invites_core::reconcile::Reconciliation;

use super::attempt::{Attempt, Outcome};
use super::rules::{self, Failed};
use super::{Action, Backoff, ReconcilePolicy, RetryBudget};
use crate::defaults;

/// Retry settings; the defaults follow the official SDKs.
///
/// | setting | default |
/// |---|---|
/// | `max_retries` | [`defaults::MAX_RETRIES`] |
/// | `backoff` | [`Backoff::default`] |
/// | `max_retry_after` | [`defaults::MAX_RETRY_AFTER`]: a longer hint is not waited for, the error carries it |
/// | `retry_non_idempotent` | `false`: `inviteUser` is never re-sent after an ambiguous failure |
/// | `budget` | [`RetryBudget::default`] |
/// | `reconcile` | on: [`ReconcilePolicy::default`] |
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delays when the service gives no hint.
    pub backoff: Backoff,
    /// The longest `retry-after-ms` / `retry-after` hint that is honoured.
    pub max_retry_after: Duration,
    /// Re-send non-idempotent requests after ambiguous failures too (risks duplicates).
    pub retry_non_idempotent: bool,
    /// The shared budget.
    pub budget: RetryBudget,
    /// How ambiguous creates and deletes are settled by reading the service.
    pub reconcile: ReconcilePolicy,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: defaults::MAX_RETRIES,
            backoff: Backoff::default(),
            max_retry_after: defaults::MAX_RETRY_AFTER,
            retry_non_idempotent: false,
            budget: RetryBudget::default(),
            reconcile: ReconcilePolicy::default(),
        }
    }
}

impl RetryPolicy {
    /// How this operation's ambiguous outcomes are settled: none when reconciling is off for
    /// the client; a create's search is off too when it is off for this call
    /// (`call_reconciles` false). The delete rule reads nothing more, so it stays.
    pub(crate) fn reconciliation(
        &self,
        meta: Option<&OperationMeta>,
        call_reconciles: bool,
    ) -> Reconciliation {
        let Some(meta) = meta.filter(|_| self.reconcile.enabled) else {
            return Reconciliation::None;
        };
        match meta.reconcile {
            Reconciliation::FindCreatedInvite if !call_reconciles => Reconciliation::None,
            how => how,
        }
    }

    /// What to do after `attempt`: the one decision the retry loop asks for after each
    /// attempt (see [`Attempt`] for an example). Pure: it reads the attempt and these
    /// settings, and only the loop acts on it (the [`RetryBudget`] is withdrawn from there).
    pub fn decide(&self, attempt: &Attempt<'_>) -> Action {
        let reconcile = self.reconciliation(attempt.meta, attempt.call_reconciles);
        let failed = match attempt.outcome {
            // A create's 2xx that does not decode: it acted, and reading finds the invite.
            Outcome::Success { settled: false }
                if reconcile == Reconciliation::FindCreatedInvite =>
            {
                return Action::Reconcile;
            }
            Outcome::Success { .. } => return Action::Return,
            Outcome::Failed(failed) => failed,
        };
        if !attempt.found_not_created {
            // A create that may have taken effect is settled by reading, never re-sent blind.
            if reconcile == Reconciliation::FindCreatedInvite && attempt.may_have_acted() {
                return Action::Reconcile;
            }
            // A retried delete that finds the invite gone: an earlier attempt deleted it.
            if let Failed::Answered(facts) = failed {
                if reconcile == Reconciliation::NotFoundMeansDeleted
                    && attempt.acted_before
                    && facts.api.status == http::StatusCode::NOT_FOUND
                {
                    return Action::Deleted;
                }
            }
        }
        let idempotent = attempt.meta.is_some_and(|m| m.idempotent);
        let repeat_is_safe = idempotent || self.retry_non_idempotent || attempt.found_not_created;
        match rules::weigh(failed, repeat_is_safe) {
            Some(Ok(reason)) => self.wait(reason, failed.hint(), attempt),
            Some(Err(reason)) => Action::GiveUp(reason),
            None => Action::Return,
        }
    }

    /// The wait before retry number `attempt.retry + 1`: the service's hint when it gave one
    /// within `max_retry_after`, else backoff; or why not to retry at all.
    fn wait(&self, reason: super::Reason, hint: Option<Duration>, attempt: &Attempt<'_>) -> Action {
        if attempt.retry >= self.max_retries {
            return Action::GiveUp("no retries left");
        }
        // A zero hint (or a date in the past) is no hint: back off as usual.
        let after = match hint.filter(|hint| !hint.is_zero()) {
            Some(hint) if hint > self.max_retry_after => {
                return Action::GiveUp("the service asked to wait longer than max_retry_after");
            }
            Some(hint) => hint,
            None => self.backoff.delay(attempt.retry),
        };
        if attempt.deadline.is_some_and(|d| after >= d.remaining()) {
            return Action::GiveUp("the wait would pass the total deadline");
        }
        Action::Retry { reason, after }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use openai_invites_core::{DeleteInvite, InviteUser, ListInvites, Operation};

    use super::*;
    use crate::failure::ResponseFacts;
    use crate::layer::Deadline;

    static CREATE: OperationMeta = InviteUser::META;
    static LIST: OperationMeta = ListInvites::META;
    static DELETE: OperationMeta = DeleteInvite::META;

    fn facts(status: u16) -> ResponseFacts {
        let mut response = http::Response::builder()
            .status(status)
            .body(Bytes::new())
            .unwrap();
        ResponseFacts::of(&mut response).unwrap().clone()
    }

    fn attempt<'a>(meta: &'a OperationMeta, outcome: Outcome<'a>) -> Attempt<'a> {
        Attempt {
            meta: Some(meta),
            outcome,
            retry: 0,
            acted_before: false,
            deadline: None,
            found_not_created: false,
            call_reconciles: true,
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            backoff: Backoff {
                jitter: super::super::Jitter::none(),
                ..Backoff::default()
            },
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn a_create_that_may_have_acted_is_read_not_resent() {
        let unavailable = facts(503);
        let failed = Outcome::Failed(Failed::Answered(&unavailable));
        let create = attempt(&CREATE, failed);
        assert_eq!(policy().decide(&create), Action::Reconcile);
        // Found not made: sent again, as a retry.
        let found = Attempt {
            found_not_created: true,
            ..create
        };
        let after = defaults::BACKOFF_BASE;
        let reason = "server error (5xx)";
        assert_eq!(policy().decide(&found), Action::Retry { reason, after });
        // The same failure of a read is retried, and nothing is read.
        let list = attempt(&LIST, failed);
        assert_eq!(policy().decide(&list), Action::Retry { reason, after });
    }

    #[test]
    fn a_delete_that_finds_the_invite_gone_after_an_ambiguous_attempt_is_done() {
        let missing = facts(404);
        let outcome = Outcome::Failed(Failed::Answered(&missing));
        let first = attempt(&DELETE, outcome);
        assert_eq!(policy().decide(&first), Action::Return);
        let retried = Attempt {
            acted_before: true,
            ..first
        };
        assert_eq!(policy().decide(&retried), Action::Deleted);
        // A call without reconciliation keeps the rule: it reads nothing more.
        let without = Attempt {
            call_reconciles: false,
            ..retried
        };
        assert_eq!(policy().decide(&without), Action::Deleted);
    }

    #[test]
    fn waits_stay_within_retries_hints_and_the_deadline() {
        let unavailable = facts(503);
        let failed = Outcome::Failed(Failed::Answered(&unavailable));
        let last = Attempt {
            retry: defaults::MAX_RETRIES,
            ..attempt(&LIST, failed)
        };
        assert_eq!(policy().decide(&last), Action::GiveUp("no retries left"));
        let soon = tokio::time::Instant::now() + Duration::from_millis(100);
        let short = Attempt {
            deadline: Some(Deadline(soon)),
            ..attempt(&LIST, failed)
        };
        let passes = Action::GiveUp("the wait would pass the total deadline");
        assert_eq!(policy().decide(&short), passes);
    }

    #[test]
    fn a_2xx_is_returned_unless_a_create_did_not_decode() {
        let settled = Outcome::Success { settled: true };
        assert_eq!(policy().decide(&attempt(&CREATE, settled)), Action::Return);
        let unsettled = Outcome::Success { settled: false };
        let create = attempt(&CREATE, unsettled);
        assert_eq!(policy().decide(&create), Action::Reconcile);
        let off = RetryPolicy {
            reconcile: ReconcilePolicy {
                enabled: false,
                ..ReconcilePolicy::default()
            },
            ..policy()
        };
        assert_eq!(off.decide(&create), Action::Return);
        // Off for this call alone: the same.
        let this_call = Attempt {
            call_reconciles: false,
            ..create
        };
        assert_eq!(policy().decide(&this_call), Action::Return);
    }

    #[test]
    fn a_call_without_reconciliation_returns_an_ambiguous_create() {
        let unavailable = facts(503);
        let failed = Outcome::Failed(Failed::Answered(&unavailable));
        let create = Attempt {
            call_reconciles: false,
            ..attempt(&CREATE, failed)
        };
        // Not read, and not re-sent: a create is not idempotent.
        let not_idempotent = "outcome unknown and the operation is not idempotent";
        assert_eq!(policy().decide(&create), Action::GiveUp(not_idempotent));
    }
}
