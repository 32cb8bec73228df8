//! Emails as the service matches them, as keys: one person, however the address is written.

// LIBRARY: `openai_invites_core::email_key` (and `is_plausible_email`), the rule that
// `InviteRequest::is_for` and the fake's validation already apply, so the three cannot drift.

/// The key two addresses of one person share: spaces around it aside, lowercased (the rule
/// of [`InviteRequest::is_for`](openai_invites_core::InviteRequest::is_for)).
///
/// ```
/// use openai_invites_roster::email_key;
/// assert_eq!(email_key(" Ana@Example.COM "), email_key("ana@example.com"));
/// ```
pub fn email_key(email: &str) -> String {
    email.trim().chars().flat_map(char::to_lowercase).collect()
}

/// Whether `email` looks like an address (the test kit's rule): one `@`, something before it,
/// a dotted domain with no empty label, no whitespace, at most 254 bytes.
pub(crate) fn is_plausible(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let labels_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && labels_ok
        && !email.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses() {
        assert!(is_plausible("ana@example.com"));
        for bad in [
            "ana",
            "@example.com",
            "ana@example",
            "ana@@x.com",
            "a b@x.com",
            "a@x..com",
        ] {
            assert!(!is_plausible(bad), "{bad}");
        }
    }
}
