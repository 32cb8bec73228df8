//! What the journal says about each row: finished, touched (a request was sent, its row did
//! not finish), or nothing.

use std::collections::HashMap;

use super::record::Record;
use crate::email::email_key;
use crate::outcome::Outcome;
use crate::plan::{Action, ActionKind};
use crate::roster::Terms;

/// Which row a record is about: a roster row by its email, a revocation by its invite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RowKey {
    Email(String),
    Revoked(String),
}

impl RowKey {
    fn of(action: ActionKind, email: &str, invite_id: Option<&str>) -> Self {
        match (action, invite_id) {
            (ActionKind::Revoke, Some(id)) => Self::Revoked(id.to_owned()),
            _ => Self::Email(email_key(email)),
        }
    }
}

/// A row the journal says finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finished {
    pub(crate) action: ActionKind,
    pub(crate) terms: Option<Terms>,
    pub(crate) outcome: Outcome,
    pub(crate) invite_id: Option<String>,
    pub(crate) request_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct RowState {
    finished: Option<Finished>,
    /// The row's last request was for this action, and the row has not finished since.
    touched_by: Option<ActionKind>,
    /// The email as the last record wrote it.
    email: String,
    /// When the row's last intent was written (unix ms).
    last_intent_ms: u64,
}

/// A row an earlier run left under way: a request was sent for it, and it did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnderWay {
    pub(crate) email: String,
    pub(crate) action: ActionKind,
    /// For a revocation, the invite.
    pub(crate) invite_id: Option<String>,
    /// When its last intent was written (unix ms).
    pub(crate) at_ms: u64,
}

impl UnderWay {
    /// Whether it is the row of `action` (the same email; the same invite, for a revocation).
    pub(crate) fn is_for(&self, action: &Action) -> bool {
        RowKey::of(self.action, &self.email, self.invite_id.as_deref())
            == RowKey::of(action.kind, &action.email, action.invite_id.as_deref())
    }
}

/// What the journal says about one action of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Journaled<'a> {
    /// Nothing (or nothing about these terms).
    Untouched,
    /// A request was sent for it (for `action`), and the row did not finish: settle it by
    /// reading the service.
    Touched { action: ActionKind },
    /// It finished, with these terms.
    Finished(&'a Finished),
}

/// Every row's state, folded from the records in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct JournalState {
    rows: HashMap<RowKey, RowState>,
}

impl JournalState {
    pub(crate) fn apply(&mut self, record: &Record) {
        match record {
            Record::Intent {
                at_ms,
                email,
                action,
                invite_id,
                ..
            } => {
                let row = self.row(*action, email, invite_id.as_deref());
                row.finished = None;
                row.touched_by = Some(*action);
                row.email.clone_from(email);
                row.last_intent_ms = row.last_intent_ms.max(*at_ms);
            }
            Record::Sent { .. } => {}
            Record::Row {
                email,
                action,
                request,
                outcome,
                invite_id,
                request_id,
                ..
            } => {
                let row = self.row(*action, email, invite_id.as_deref());
                if outcome.is_done() {
                    row.touched_by = None;
                    row.finished = Some(Finished {
                        action: *action,
                        terms: request.as_ref().map(Terms::of),
                        outcome: *outcome,
                        invite_id: invite_id.clone(),
                        request_id: request_id.clone(),
                    });
                } else {
                    row.finished = None;
                }
            }
        }
    }

    fn row(&mut self, action: ActionKind, email: &str, invite_id: Option<&str>) -> &mut RowState {
        self.rows
            .entry(RowKey::of(action, email, invite_id))
            .or_default()
    }

    /// What the journal says about `action`.
    pub(crate) fn of(&self, action: &Action) -> Journaled<'_> {
        let key = RowKey::of(action.kind, &action.email, action.invite_id.as_deref());
        let Some(row) = self.rows.get(&key) else {
            return Journaled::Untouched;
        };
        if let Some(action) = row.touched_by {
            return Journaled::Touched { action };
        }
        match &row.finished {
            Some(finished) if finished.terms == action.request.as_ref().map(Terms::of) => {
                Journaled::Finished(finished)
            }
            _ => Journaled::Untouched,
        }
    }

    /// The rows an earlier run left under way, in no particular order.
    pub(crate) fn under_way(&self) -> impl Iterator<Item = UnderWay> + '_ {
        self.rows.iter().filter_map(|(key, row)| {
            Some(UnderWay {
                email: row.email.clone(),
                action: row.touched_by?,
                invite_id: match key {
                    RowKey::Revoked(id) => Some(id.clone()),
                    RowKey::Email(_) => None,
                },
                at_ms: row.last_intent_ms,
            })
        })
    }
}
