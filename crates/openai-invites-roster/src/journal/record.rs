//! The journal's records: an intent before each request that changes something, what it
//! did after, and each row's outcome.

use openai_invites_core::InviteRequest;
use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;
use crate::plan::ActionKind;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// A request that changes something is about to be sent.
    Intent {
        /// When (unix milliseconds, the caller's clock).
        at_ms: u64,
        /// The row's email.
        email: String,
        /// What the row is for.
        action: ActionKind,
        /// The request.
        step: Step,
        /// The roster's terms (for a create).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<InviteRequest>,
        /// The invite deleted (for a delete).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invite_id: Option<String>,
    },
    /// What the request did.
    Sent {
        /// When.
        at_ms: u64,
        /// The row's email.
        email: String,
        /// The request.
        step: Step,
        /// `done`, `failed` or `unknown`.
        result: StepResult,
        /// The invite created or deleted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invite_id: Option<String>,
        /// The service's request id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Why it failed or is unknown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// How the row ended.
    Row {
        /// When.
        at_ms: u64,
        /// The row's email.
        email: String,
        /// What the row was for.
        action: ActionKind,
        /// The roster's terms (none for a revocation).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<InviteRequest>,
        /// How it ended.
        outcome: Outcome,
        /// The invite it ended with (for a revocation: the one revoked).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invite_id: Option<String>,
        /// The last request id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// A note or why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
}

/// A request that changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// `POST /organization/invites`.
    Create,
    /// `DELETE /organization/invites/{id}`.
    Delete,
}

/// What one request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepResult {
    /// It took effect (a delete answered 404: the invite was already gone).
    Done,
    /// It failed and the service did not act on it.
    Failed,
    /// Whether it took effect is not known: settled later by reading the invites.
    Unknown,
}

impl Record {
    /// The row's email.
    pub fn email(&self) -> &str {
        match self {
            Self::Intent { email, .. } | Self::Sent { email, .. } | Self::Row { email, .. } => {
                email
            }
        }
    }
}
