//! `InviteFilter`: which invites a caller wants out of a full listing. The service lists every
//! invite; choosing by status or email happens on the caller's side.

use super::{Invite, InviteStatus, email};

/// Which invites to keep: every one by default, or those of one status and/or one email
/// (compared as the service compares addresses, see [`same_email`](crate::same_email)).
///
/// A status converts into a filter, so a caller can pass `InviteStatus::Pending` where a
/// filter is asked for.
///
/// ```
/// use openai_invites_core::{Invite, InviteFilter, InviteStatus};
///
/// # let json = r#"{"object":"organization.invite","id":"invite-1","email":"ana@example.com",
/// #   "role":"reader","status":"pending","created_at":1,"expires_at":2,"projects":[]}"#;
/// let invite: Invite = serde_json::from_str(json)?;
/// assert!(InviteFilter::all().matches(&invite));
/// assert!(InviteFilter::from(InviteStatus::Pending).matches(&invite));
/// assert!(InviteFilter::all().email("ANA@example.com").matches(&invite));
/// assert!(!InviteFilter::all().status(InviteStatus::Accepted).matches(&invite));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteFilter {
    status: Option<InviteStatus>,
    email: Option<String>,
}

impl InviteFilter {
    /// Every invite.
    pub fn all() -> Self {
        Self::default()
    }

    /// Only invites with this status.
    pub fn status(mut self, status: InviteStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only invites for this address (spaces around it aside, any case).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Whether `invite` passes.
    pub fn matches(&self, invite: &Invite) -> bool {
        self.status.as_ref().is_none_or(|s| *s == invite.status)
            && self
                .email
                .as_deref()
                .is_none_or(|e| email::same_email(e, &invite.email))
    }
}

impl From<InviteStatus> for InviteFilter {
    fn from(status: InviteStatus) -> Self {
        Self::all().status(status)
    }
}
