//! What provisioning one email takes, given its invites: the one decision that
//! `Client::ensure_invited` and the roster planner both make, without I/O.
//!
//! ```
//! use openai_invites_core::provision::Provision;
//! use openai_invites_core::{Invite, InviteRequest, InviteRole};
//!
//! # let json = r#"{"object":"organization.invite","id":"invite-1","email":"ana@example.com",
//! #   "role":"reader","status":"expired","created_at":1,"expires_at":2,"projects":[]}"#;
//! let expired: Invite = serde_json::from_str(json)?;
//! let request = InviteRequest::new("Ana@Example.com", InviteRole::Reader);
//! // Invites of other people are ignored; the email compares case-insensitively.
//! match Provision::decide(&request, [&expired]) {
//!     Provision::Reissue { expired } => assert_eq!(expired.id, "invite-1"),
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(Provision::decide(&request, []), Provision::Create);
//! # Ok::<(), serde_json::Error>(())
//! ```

use crate::{Invite, InviteRequest, InviteStatus, Mismatch};

/// What to do for one email so that it has an invite, decided from the invites the service
/// lists for it.
///
/// The order of the checks is the rule: a pending invite wins (never a second pending one),
/// then an accepted one (the person is a member: the invites API cannot change that), then
/// expired ones (deleted and sent again), then none (sent). Invites with a status this crate
/// does not know are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provision {
    /// No invite for the email: create one.
    Create,
    /// An invite is pending (the newest, when the service lists several): create none.
    /// `mismatch` says where it differs from the request.
    AlreadyPending {
        /// The pending invite.
        invite: Invite,
        /// How it differs from what was asked.
        mismatch: Mismatch,
    },
    /// The person accepted an invite (the newest such): nothing to do.
    AlreadyAccepted {
        /// The accepted invite.
        invite: Invite,
    },
    /// Only expired invites: delete the newest, then create one. Older expired invites are
    /// history and stay.
    Reissue {
        /// The expired invite to delete.
        expired: Invite,
    },
}

impl Provision {
    /// Decides for `request`'s email from `invites`; invites of other emails (compared as
    /// [`InviteRequest::is_for`] does) are skipped, so the caller may pass all it has.
    pub fn decide<'a>(
        request: &InviteRequest,
        invites: impl IntoIterator<Item = &'a Invite>,
    ) -> Self {
        let mut newest: [Option<&Invite>; 3] = [None, None, None];
        for invite in invites {
            let slot = match invite.status {
                InviteStatus::Pending => 0,
                InviteStatus::Accepted => 1,
                InviteStatus::Expired => 2,
                _ => continue,
            };
            if !request.is_for(&invite.email) {
                continue;
            }
            if newest[slot].is_none_or(|known| invite.created_at > known.created_at) {
                newest[slot] = Some(invite);
            }
        }
        match newest {
            [Some(pending), ..] => Self::AlreadyPending {
                mismatch: Mismatch::between(request, pending),
                invite: pending.clone(),
            },
            [None, Some(accepted), _] => Self::AlreadyAccepted {
                invite: accepted.clone(),
            },
            [None, None, Some(expired)] => Self::Reissue {
                expired: expired.clone(),
            },
            [None, None, None] => Self::Create,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InviteRole, ProjectRole};

    fn invite(id: &str, email: &str, status: &str, created_at: i64) -> Invite {
        serde_json::from_value(
            serde_json::json!({"id": id, "email": email, "role": "reader",
            "status": status, "created_at": created_at, "projects": []}),
        )
        .unwrap()
    }

    fn ana() -> InviteRequest {
        InviteRequest::new("ana@example.com", InviteRole::Reader)
    }

    #[test]
    fn pending_wins_over_accepted_and_expired_and_the_newest_is_chosen() {
        let all = [
            invite("a", "ana@example.com", "accepted", 5),
            invite("p1", "ana@example.com", "pending", 1),
            invite("p2", "ANA@example.com", "pending", 3),
            invite("e", "ana@example.com", "expired", 9),
        ];
        let Provision::AlreadyPending { invite, mismatch } = Provision::decide(&ana(), &all) else {
            panic!()
        };
        assert_eq!(invite.id, "p2");
        assert!(!mismatch.any());
    }

    #[test]
    fn accepted_before_expired_and_the_newest_expired_is_reissued() {
        let accepted = [
            invite("e", "ana@example.com", "expired", 9),
            invite("a", "ana@example.com", "accepted", 5),
        ];
        assert!(matches!(
            Provision::decide(&ana(), &accepted),
            Provision::AlreadyAccepted { invite } if invite.id == "a"
        ));
        let expired = [
            invite("e1", "ana@example.com", "expired", 1),
            invite("e2", "ana@example.com", "expired", 2),
        ];
        assert!(matches!(
            Provision::decide(&ana(), &expired),
            Provision::Reissue { expired } if expired.id == "e2"
        ));
    }

    #[test]
    fn other_people_and_unknown_statuses_are_ignored() {
        let all = [
            invite("b", "bo@example.com", "pending", 1),
            invite("x", "ana@example.com", "revoked", 2),
        ];
        assert_eq!(Provision::decide(&ana(), &all), Provision::Create);
    }

    #[test]
    fn a_pending_invite_with_other_terms_reports_the_mismatch() {
        let all = [invite("p", "ana@example.com", "pending", 1)];
        let asked = InviteRequest::new("ana@example.com", InviteRole::Owner)
            .with_project("proj_a", ProjectRole::Member);
        let Provision::AlreadyPending { mismatch, .. } = Provision::decide(&asked, &all) else {
            panic!()
        };
        assert!(mismatch.role && mismatch.projects);
    }
}
