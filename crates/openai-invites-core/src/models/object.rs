//! The `object` discriminator every response body carries.
//!
//! Checking it catches a body from the wrong endpoint (a list where an invite was expected)
//! without breaking on drift: an absent `object`, or a value none of our types uses, is accepted.

/// `object` of an [`Invite`](super::Invite).
pub(crate) const INVITE: &str = "organization.invite";
/// `object` of an [`InviteListResponse`](super::InviteListResponse).
pub(crate) const LIST: &str = "list";
/// `object` of an [`InviteDeleteResponse`](super::InviteDeleteResponse).
pub(crate) const INVITE_DELETED: &str = "organization.invite.deleted";

const KNOWN: [&str; 3] = [INVITE, LIST, INVITE_DELETED];

/// Rejects `found` only when it names another of our types than `expected`.
pub(crate) fn check(expected: &'static str, found: Option<&str>) -> Result<(), String> {
    match found {
        Some(found) if found != expected && KNOWN.contains(&found) => Err(format!(
            "expected an `{expected}` object, found `{found}`: is this the right endpoint?"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_expected_absent_and_unknown() {
        assert!(check(INVITE, Some(INVITE)).is_ok());
        assert!(check(INVITE, None).is_ok());
        assert!(check(INVITE, Some("organization.invitation")).is_ok());
    }

    #[test]
    fn rejects_another_known_object() {
        let err = check(INVITE, Some(LIST)).unwrap_err();
        assert!(err.contains("`list`"), "{err}");
    }
}
