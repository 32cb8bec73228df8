//! One line of a plan: what to do for one person (or one invite, for a revocation).

use openai_invites_core::provision::Provision;
use openai_invites_core::{Invite, InviteRequest, Mismatch};
use serde::{Deserialize, Serialize};

use super::PlanOptions;

/// What a plan does for one roster row, or for one pending invite off the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// No invite for the email: create one.
    Invite,
    /// Only expired invites: delete the newest, then create one.
    Reissue,
    /// Pending with the same terms: nothing to do.
    Keep,
    /// Pending with other terms (role or projects): reported, left alone (see
    /// [`PlanOptions::replace_drifted`]).
    Drift,
    /// Pending with other terms, replaced: delete it, then create one with the roster's terms.
    Replace,
    /// The person accepted an invite: nothing to do (the invites API cannot change a member).
    Accepted,
    /// A pending invite for an email not on the roster (with [`PlanOptions::prune`]): delete
    /// it. Accepted invites are never touched: the invites API cannot remove members.
    Revoke,
}

impl ActionKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [ActionKind; 7] = [
        Self::Invite,
        Self::Reissue,
        Self::Replace,
        Self::Revoke,
        Self::Keep,
        Self::Drift,
        Self::Accepted,
    ];

    /// Whether applying it sends a request that changes something.
    pub fn changes(self) -> bool {
        matches!(
            self,
            Self::Invite | Self::Reissue | Self::Replace | Self::Revoke
        )
    }

    /// Its name in plans, reports and journals: `invite`, `reissue`, `keep`, `drift`,
    /// `replace`, `accepted`, `revoke`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::Reissue => "reissue",
            Self::Keep => "keep",
            Self::Drift => "drift",
            Self::Replace => "replace",
            Self::Accepted => "accepted",
            Self::Revoke => "revoke",
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where a pending invite differs from the roster's terms: the core's [`Mismatch`] (it
/// serializes as `{"role": bool, "projects": bool}` and displays as `role differs`...).
pub type Drift = Mismatch;

/// One action of a [`Plan`](super::Plan), with what it was decided from, so that a saved plan
/// can be checked against the organization when it is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// What to do.
    pub kind: ActionKind,
    /// The email, as the roster writes it (as the invite does, for a revocation).
    pub email: String,
    /// The roster line; `None` for a revocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The roster's terms; `None` for a revocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<InviteRequest>,
    /// The invite the action found or acts on: the pending or accepted one (keep, drift,
    /// accepted), the one it deletes (reissue, replace, revoke); `None` for an invite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_id: Option<String>,
    /// For drift and replace: how the pending invite differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<Drift>,
    /// The email's invites the plan was made against (for a revocation, the invite revoked):
    /// if they changed since, applying a saved plan refuses it as stale.
    pub observed: Vec<Invite>,
}

impl Action {
    /// The action for one roster row, from the email's invites (others are ignored).
    pub fn for_row<'a>(
        line: usize,
        request: &InviteRequest,
        invites: impl IntoIterator<Item = &'a Invite>,
        options: PlanOptions,
    ) -> Self {
        let observed: Vec<Invite> = invites
            .into_iter()
            .filter(|i| request.is_for(&i.email))
            .cloned()
            .collect();
        let (kind, invite_id, drift) = match Provision::decide(request, &observed) {
            Provision::Create => (ActionKind::Invite, None, None),
            Provision::Reissue { expired } => (ActionKind::Reissue, Some(expired.id), None),
            Provision::AlreadyAccepted { invite } => (ActionKind::Accepted, Some(invite.id), None),
            Provision::AlreadyPending { invite, mismatch } if !mismatch.any() => {
                (ActionKind::Keep, Some(invite.id), None)
            }
            Provision::AlreadyPending { invite, mismatch } => {
                let kind = if options.replace_drifted {
                    ActionKind::Replace
                } else {
                    ActionKind::Drift
                };
                (kind, Some(invite.id), Some(mismatch))
            }
        };
        Self {
            kind,
            email: request.email.clone(),
            line: Some(line),
            request: Some(request.clone()),
            invite_id,
            drift,
            observed,
        }
    }

    /// Revokes `invite` (pending, for an email off the roster).
    pub fn revoke(invite: &Invite) -> Self {
        Self {
            kind: ActionKind::Revoke,
            email: invite.email.clone(),
            line: None,
            request: None,
            invite_id: Some(invite.id.clone()),
            drift: None,
            observed: vec![invite.clone()],
        }
    }
}
