//! The open enums of the invites API: organization role, invite status, project role.

use super::open_enum::open_enum;

open_enum! {
    /// The organization role an invite grants.
    pub enum InviteRole {
        /// Full administrative access to the organization.
        Owner => "owner",
        /// Read-only access to the organization.
        Reader => "reader",
    }
}

open_enum! {
    /// Where an invite stands.
    pub enum InviteStatus {
        /// The person accepted the invite; it can no longer be deleted.
        Accepted => "accepted",
        /// The invite ran out before it was accepted.
        Expired => "expired",
        /// Sent, not yet accepted.
        Pending => "pending",
    }
}

open_enum! {
    /// The role granted in one project when the invite is accepted.
    pub enum ProjectRole {
        /// A member of the project.
        Member => "member",
        /// An owner of the project.
        Owner => "owner",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_map_to_variants() {
        assert_eq!(InviteRole::from("owner"), InviteRole::Owner);
        assert_eq!(InviteStatus::from("expired"), InviteStatus::Expired);
        assert_eq!(ProjectRole::from("member"), ProjectRole::Member);
    }

    #[test]
    fn unknown_values_round_trip_unchanged() {
        let role: InviteRole = serde_json::from_str("\"billing-admin\"").unwrap();
        assert_eq!(role, InviteRole::Unknown("billing-admin".into()));
        assert_eq!(serde_json::to_string(&role).unwrap(), "\"billing-admin\"");
        assert_eq!(role.to_string(), "billing-admin");
    }

    #[test]
    fn matching_is_case_sensitive_like_the_wire() {
        assert_eq!(
            InviteRole::from("Owner"),
            InviteRole::Unknown("Owner".into())
        );
    }
}
