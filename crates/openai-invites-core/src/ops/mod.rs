//! The invite operations, one file each, and [`OPERATIONS`], the list of them all.

mod delete_invite;
mod invite_user;
mod list_invites;
mod retrieve_invite;

pub use crate::template::encode_component;
pub use delete_invite::DeleteInvite;
pub use invite_user::InviteUser;
pub use list_invites::{DEFAULT_LIMIT, ListInvites, MAX_LIMIT};
pub use retrieve_invite::RetrieveInvite;

use crate::{Operation, OperationMeta};

/// The URL template of the invites collection (list, create).
const INVITES: &str = "/organization/invites";
/// The URL template of one invite (retrieve, delete).
const INVITE: &str = "/organization/invites/{invite_id}";

/// Every operation of the API: the one list that routes (the fake's), fault matchers and
/// test matrices read. A new operation is one more line here.
///
/// ```
/// use openai_invites_core::ops::OPERATIONS;
///
/// let ops: Vec<_> = OPERATIONS.iter().map(|op| (op.name, op.idempotent)).collect();
/// assert_eq!(
///     ops,
///     [("listInvites", true), ("inviteUser", false), ("retrieveInvite", true), ("deleteInvite", true)]
/// );
/// ```
pub const OPERATIONS: &[&OperationMeta] = &[
    &ListInvites::META,
    &InviteUser::META,
    &RetrieveInvite::META,
    &DeleteInvite::META,
];

/// The operation named `name` (the spec's operation id, e.g. `inviteUser`).
///
/// ```
/// use openai_invites_core::ops;
///
/// assert_eq!(ops::named("inviteUser").map(|op| op.span_name), Some("invites.create"));
/// assert!(ops::named("invite_user").is_none());
/// ```
pub fn named(name: &str) -> Option<&'static OperationMeta> {
    OPERATIONS.iter().copied().find(|op| op.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_routes_do_not_overlap() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            for b in &OPERATIONS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert!(
                    a.method != b.method || a.url_template != b.url_template,
                    "{} and {} share a route",
                    a.name,
                    b.name
                );
            }
        }
    }
}
