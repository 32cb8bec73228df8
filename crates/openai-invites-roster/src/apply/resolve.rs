//! What a row still needs, decided from the invites as they are now: the plan's own action,
//! or, for a row a journal or an ambiguous answer left unsettled, the same decision made
//! again on a fresh read.

use openai_invites_core::{InviteRequest, InviteStatus};

use crate::index::InviteIndex;
use crate::outcome::Outcome;
use crate::plan::{Action, ActionKind, PlanOptions};

/// A request that changes something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Delete(String),
    Create(InviteRequest),
}

/// What to do with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// Nothing left to do: it ended so.
    Done {
        outcome: Outcome,
        invite_id: Option<String>,
        message: Option<String>,
    },
    /// Send these, in order.
    Run(Vec<Change>),
    /// It cannot be done.
    Failed(String),
}

/// A row the engine works on: what it is for (`label`, the kind reported) and whom.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// Its place in the plan (and the report).
    pub(crate) index: usize,
    pub(crate) label: ActionKind,
    pub(crate) email: String,
    pub(crate) request: Option<InviteRequest>,
    /// For a revocation: the invite revoked.
    pub(crate) revoked: Option<String>,
}

impl Job {
    pub(crate) fn new(index: usize, action: &Action, label: ActionKind) -> Self {
        Self {
            index,
            label,
            email: action.email.clone(),
            request: action.request.clone(),
            revoked: (label == ActionKind::Revoke)
                .then(|| action.invite_id.clone())
                .flatten(),
        }
    }
}

/// What a row needs given the invites now: decided again, as the plan would.
pub(crate) fn again(job: &Job, invites: &InviteIndex<'_>, options: PlanOptions) -> Resolution {
    if job.label == ActionKind::Revoke {
        let Some(id) = &job.revoked else {
            return Resolution::Failed("the plan names no invite to revoke".to_owned());
        };
        return match invites.get(id) {
            None => done(Outcome::Revoked, Some(id.clone())),
            Some(invite) if invite.status == InviteStatus::Pending => {
                Resolution::Run(vec![Change::Delete(id.clone())])
            }
            Some(invite) => Resolution::Failed(format!("{id} is {} now", invite.status)),
        };
    }
    let Some(request) = &job.request else {
        return Resolution::Failed("the plan's action has no request".to_owned());
    };
    // A replacement under way is finished whatever the options say now.
    let options = PlanOptions {
        replace_drifted: options.replace_drifted || job.label == ActionKind::Replace,
        ..options
    };
    let now = Action::for_row(0, request, invites.of_email(&request.email), options);
    resolve(&now, job.label)
}

/// What `action` (decided from the invites as they are) needs, for a row that is for `label`.
pub(crate) fn resolve(action: &Action, label: ActionKind) -> Resolution {
    let id = action.invite_id.clone();
    let outcome = Outcome::planned(if label.changes() { label } else { action.kind });
    let create = || action.request.clone().map(Change::Create);
    let steps = match action.kind {
        ActionKind::Keep => return done(outcome, id),
        ActionKind::Accepted => return done(Outcome::Accepted, id),
        ActionKind::Drift if !label.changes() => {
            let drift = action.drift.unwrap_or_default();
            return Resolution::Done {
                outcome: Outcome::Kept,
                invite_id: id,
                message: Some(format!(
                    "pending with other terms ({drift}): not replaced without replace_drifted"
                )),
            };
        }
        ActionKind::Drift => {
            let drift = action.drift.unwrap_or_default();
            let id = id.unwrap_or_default();
            return Resolution::Failed(format!(
                "a pending invite with other terms is there now ({id}: {drift})"
            ));
        }
        ActionKind::Invite => create().map(|c| vec![c]),
        ActionKind::Reissue | ActionKind::Replace => {
            id.zip(create()).map(|(id, c)| vec![Change::Delete(id), c])
        }
        ActionKind::Revoke => id.map(|id| vec![Change::Delete(id)]),
    };
    match steps {
        Some(steps) => Resolution::Run(steps),
        None => Resolution::Failed("the plan's action lacks its request or invite".to_owned()),
    }
}

fn done(outcome: Outcome, invite_id: Option<String>) -> Resolution {
    Resolution::Done {
        outcome,
        invite_id,
        message: None,
    }
}
