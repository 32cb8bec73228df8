//! The plan: what applying the roster would do, decided by a pure function from the roster
//! and one snapshot of the organization's invites.
//!
//! ```
//! use openai_invites_roster::{plan, ActionKind, PlanOptions, Roster, RosterFormat};
//!
//! let roster = Roster::parse("email,role\nana@example.com,reader\n", RosterFormat::Csv)?;
//! let plan = plan(&roster, &[], PlanOptions::default()); // an organization with no invites
//! assert_eq!(plan.actions[0].kind, ActionKind::Invite);
//! assert_eq!(plan.summary().changes(), 1);
//! let saved = plan.to_json();
//! assert_eq!(openai_invites_roster::Plan::from_json(&saved)?, plan);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod action;
mod fingerprint;

use std::collections::HashSet;

use openai_invites_core::{Invite, InviteStatus};
use serde::{Deserialize, Serialize};

pub use action::{Action, ActionKind, Drift};
pub use fingerprint::snapshot_fingerprint;

use crate::email::email_key;
use crate::index::InviteIndex;
use crate::roster::Roster;
use crate::summary::{self, Summary};

/// The plan file format this crate writes and reads.
pub const PLAN_FORMAT: u32 = 1;

/// What a plan may do besides inviting and reissuing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Revoke pending invites for emails not on the roster. Accepted invites are never
    /// touched: the invites API cannot remove members.
    pub prune: bool,
    /// Replace pending invites whose terms differ from the roster's (delete, then create);
    /// without it they are reported as [`ActionKind::Drift`] and left alone.
    pub replace_drifted: bool,
}

/// What the plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    /// `sha256:…` of every invite (see [`snapshot_fingerprint`]).
    pub fingerprint: String,
    /// How many invites the organization had.
    pub invites: usize,
    /// How many of them were pending (what `max_revoke`'s share is of).
    pub pending: usize,
}

/// What applying a roster would do, action by action, and what it was decided from.
/// Serializable: save it (`to_json`), apply it later; it is refused then if any invite it was
/// decided from changed ([`Plan::stale_actions`], [`Plan::unplanned_invites`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The file format ([`PLAN_FORMAT`]).
    pub format: u32,
    /// The options it was made with.
    pub options: PlanOptions,
    /// The snapshot it was made against.
    pub snapshot: SnapshotInfo,
    /// One action per roster row, in roster order, then one revocation per pending invite
    /// off the roster (with `prune`), in the snapshot's order.
    pub actions: Vec<Action>,
}

/// Makes the plan for `roster` against `invites`, every invite of the organization (one
/// snapshot). Pure: no I/O, the same inputs give the same plan.
pub fn plan(roster: &Roster, invites: &[Invite], options: PlanOptions) -> Plan {
    let index = InviteIndex::new(invites);
    let mut actions: Vec<Action> = roster
        .rows()
        .iter()
        .map(|row| {
            let mine = index.of_email(&row.request.email);
            Action::for_row(row.line, &row.request, mine, options)
        })
        .collect();
    if options.prune {
        let on_roster: HashSet<String> = roster
            .rows()
            .iter()
            .map(|row| email_key(&row.request.email))
            .collect();
        actions.extend(
            invites
                .iter()
                .filter(|i| i.status == InviteStatus::Pending)
                .filter(|i| !on_roster.contains(&email_key(&i.email)))
                .map(Action::revoke),
        );
    }
    Plan {
        format: PLAN_FORMAT,
        options,
        snapshot: SnapshotInfo {
            fingerprint: snapshot_fingerprint(invites),
            invites: invites.len(),
            pending: pending(invites),
        },
        actions,
    }
}

/// How many of `invites` are pending.
pub(crate) fn pending(invites: &[Invite]) -> usize {
    invites
        .iter()
        .filter(|i| i.status == InviteStatus::Pending)
        .count()
}

/// How many actions of each kind a plan has.
pub type PlanSummary = Summary<ActionKind>;

impl PlanSummary {
    /// How many actions change something (invite, reissue, replace, revoke).
    pub fn changes(&self) -> usize {
        ActionKind::ALL
            .iter()
            .filter(|k| k.changes())
            .map(|k| self.count(*k))
            .sum()
    }
}

impl std::fmt::Display for PlanSummary {
    /// `2 invite, 1 reissue, 5 keep, 1 drift`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        summary::show(self, &ActionKind::ALL, f)
    }
}

/// Why a saved plan could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanFileError {
    /// Not a plan.
    #[error("not a plan file: {0}")]
    Json(#[from] serde_json::Error),
    /// A plan of another format version.
    #[error("plan format {found} is not supported (this version reads format {PLAN_FORMAT})")]
    Format {
        /// The version the file says.
        found: u32,
    },
}

impl Plan {
    /// How many actions of each kind.
    pub fn summary(&self) -> PlanSummary {
        self.actions.iter().map(|a| a.kind).collect()
    }

    /// The plan as pretty JSON, to save.
    pub fn to_json(&self) -> String {
        // A plan holds strings, numbers and the core's models: serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A saved plan.
    pub fn from_json(text: &str) -> Result<Self, PlanFileError> {
        #[derive(Deserialize)]
        struct Version {
            format: u32,
        }
        let Version { format } = serde_json::from_str(text)?;
        if format != PLAN_FORMAT {
            return Err(PlanFileError::Format { found: format });
        }
        Ok(serde_json::from_str(text)?)
    }

    /// The actions whose invites are no longer what the plan saw in `invites` (the
    /// organization now), whatever the action: for a row, the email's invites (any added,
    /// removed or changed, a status included), so that a kept invite deleted since, or a
    /// person who accepted since, makes the plan stale as surely as a changed invite it acts
    /// on; for a revocation, the invite. Applying a plan with any is refused: plan again.
    pub fn stale_actions<'a>(&'a self, invites: &[Invite]) -> Vec<&'a Action> {
        if snapshot_fingerprint(invites) == self.snapshot.fingerprint {
            return Vec::new();
        }
        let index = InviteIndex::new(invites);
        self.actions
            .iter()
            .filter(|a| !still_as_observed(a, &index))
            .collect()
    }

    /// With [`PlanOptions::prune`], the pending invites off the roster that the plan does not
    /// revoke: new since it was made (planning now would revoke them), so applying it is
    /// refused as stale too. Without `prune`, none: the plan was not made from them.
    pub fn unplanned_invites<'a>(
        &'a self,
        invites: &'a [Invite],
    ) -> impl Iterator<Item = &'a Invite> + 'a {
        let prune = self.options.prune;
        let on_roster: HashSet<String> = self
            .actions
            .iter()
            .filter(|a| a.kind != ActionKind::Revoke)
            .map(|a| email_key(&a.email))
            .collect();
        let revoked: HashSet<&str> = self
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::Revoke)
            .filter_map(|a| a.invite_id.as_deref())
            .collect();
        invites.iter().filter(move |i| {
            prune
                && i.status == InviteStatus::Pending
                && !on_roster.contains(&email_key(&i.email))
                && !revoked.contains(i.id.as_str())
        })
    }
}

fn still_as_observed(action: &Action, index: &InviteIndex<'_>) -> bool {
    if action.kind == ActionKind::Revoke {
        let [seen] = action.observed.as_slice() else {
            return false;
        };
        return index.get(&seen.id) == Some(seen);
    }
    let mut now: Vec<&Invite> = index.of_email(&action.email).collect();
    let mut then: Vec<&Invite> = action.observed.iter().collect();
    now.sort_by(|a, b| a.id.cmp(&b.id));
    then.sort_by(|a, b| a.id.cmp(&b.id));
    now == then
}
