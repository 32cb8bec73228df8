//! What applying did, row by row, and what it adds up to.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::plan::ActionKind;
use crate::summary::{self, Summary};

/// How one row (or one revoked invite) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An invite was created.
    Created,
    /// The pending invite was left as it is (same terms, or drift not replaced).
    Kept,
    /// The expired invite was deleted and a new one created.
    Reissued,
    /// The drifted pending invite was deleted and a new one created.
    Replaced,
    /// The pending invite off the roster was deleted.
    Revoked,
    /// The person had accepted: nothing to do.
    Accepted,
    /// A request failed, and the service did not act on it (or the row could not be done:
    /// see the message). Running again retries it.
    Failed,
    /// Whether the service acted could not be told (it could not be read). Running again with
    /// the same journal settles it by reading, never by sending blind.
    Unknown,
    /// Not attempted: the run was interrupted first.
    Skipped,
}

impl Outcome {
    /// The outcome of an action that went as planned.
    pub fn planned(kind: ActionKind) -> Self {
        match kind {
            ActionKind::Invite => Self::Created,
            ActionKind::Reissue => Self::Reissued,
            ActionKind::Replace => Self::Replaced,
            ActionKind::Revoke => Self::Revoked,
            ActionKind::Keep | ActionKind::Drift => Self::Kept,
            ActionKind::Accepted => Self::Accepted,
        }
    }

    /// Whether the row ended as planned (or with nothing left to do).
    pub fn is_done(self) -> bool {
        !matches!(self, Self::Failed | Self::Unknown | Self::Skipped)
    }

    /// Its name in reports and journals.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Kept => "kept",
            Self::Reissued => "reissued",
            Self::Replaced => "replaced",
            Self::Revoked => "revoked",
            Self::Accepted => "accepted",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::Skipped => "skipped",
        }
    }

    /// Every outcome, in the order summaries list them.
    pub(crate) const ALL: [Outcome; 9] = [
        Self::Created,
        Self::Reissued,
        Self::Replaced,
        Self::Revoked,
        Self::Kept,
        Self::Accepted,
        Self::Failed,
        Self::Unknown,
        Self::Skipped,
    ];
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How one roster row, or one revoked invite, ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    /// The email.
    pub email: String,
    /// The roster line; `None` for a revocation.
    pub line: Option<usize>,
    /// What the plan said to do.
    pub action: ActionKind,
    /// How it ended.
    pub outcome: Outcome,
    /// The invite it ended with: created, kept, accepted, or revoked.
    pub invite_id: Option<String>,
    /// The `x-request-id` of the last request sent for it.
    pub request_id: Option<String>,
    /// Why it failed or is unknown, or a note (drift not replaced, settled by reading, done in
    /// an earlier run).
    pub message: Option<String>,
}

/// Everything an apply did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplyReport {
    /// One result per action of the plan, in the plan's order.
    pub rows: Vec<RowResult>,
    /// The run was stopped by its [`StopSignal`](crate::StopSignal) before every row was done.
    pub interrupted: bool,
    /// The journal could not be written: the run stopped starting rows (see the rows for
    /// what was done).
    pub journal_error: Option<String>,
    /// Rows an earlier run left under way (the journal holds a request for them and no
    /// outcome) that this plan does not include, such as an email since dropped from the
    /// roster: not settled, each with the outcome [`Outcome::Unknown`]. They do not count in
    /// [`status`](Self::status).
    pub unplanned: Vec<RowResult>,
}

/// How a whole run ended, for an exit status: the command line exits 0, 3, 5, 130 and 1 for
/// them, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Every row ended as planned.
    AsPlanned,
    /// Some rows failed; the others were done.
    SomeFailed,
    /// Some outcome is unknown (whatever else failed).
    SomeUnknown,
    /// Stopped by the stop signal.
    Interrupted,
    /// The journal could not be written.
    JournalFailed,
}

impl ApplyReport {
    /// How many rows ended with each outcome.
    pub fn summary(&self) -> Summary<Outcome> {
        self.rows.iter().map(|row| row.outcome).collect()
    }

    /// How the run ended: the journal, an interruption, an unknown outcome, a failure, in
    /// that order of precedence.
    pub fn status(&self) -> RunStatus {
        let any = |outcome| self.rows.iter().any(|r| r.outcome == outcome);
        if self.journal_error.is_some() {
            RunStatus::JournalFailed
        } else if self.interrupted {
            RunStatus::Interrupted
        } else if any(Outcome::Unknown) {
            RunStatus::SomeUnknown
        } else if any(Outcome::Failed) {
            RunStatus::SomeFailed
        } else {
            RunStatus::AsPlanned
        }
    }
}

/// Where a run stands, as the progress callback receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Rows whose changes are finished (done, failed or unknown).
    pub done: usize,
    /// Rows with changes to make.
    pub total: usize,
    /// Of the finished, how many failed.
    pub failed: usize,
    /// Of the finished, how many are unknown.
    pub unknown: usize,
}

impl fmt::Display for Summary<Outcome> {
    /// `3 created, 1 reissued, 5 kept, 1 failed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        summary::show(self, &Outcome::ALL, f)
    }
}
