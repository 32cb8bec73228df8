//! Emails as the service matches them: one rule for "the same person", and one for "looks like
//! an address", shared by the client, the roster and the test kit.

/// The key two ways of writing one address share: spaces around it aside, lowercased. Two
/// addresses are [the same](same_email) when their keys are equal.
///
/// ```
/// use openai_invites_core::email_key;
///
/// assert_eq!(email_key(" Ana@Example.COM "), "ana@example.com");
/// ```
pub fn email_key(email: &str) -> String {
    folded(email).collect()
}

/// The rule, as characters: trimmed, lowercased.
fn folded(email: &str) -> impl Iterator<Item = char> + '_ {
    email.trim().chars().flat_map(char::to_lowercase)
}

/// Whether `a` and `b` are one address as the service matches addresses: spaces around either
/// aside, whatever the case. [`InviteRequest::is_for`](crate::InviteRequest::is_for) applies it.
///
/// ```
/// use openai_invites_core::same_email;
///
/// assert!(same_email("Ana@Example.com", " ana@example.COM"));
/// assert!(!same_email("ana@example.com", "bo@example.com"));
/// ```
pub fn same_email(a: &str, b: &str) -> bool {
    // The keys, compared as they are made: no allocation.
    folded(a).eq(folded(b))
}

/// Whether `email` looks like an address: one `@`, something before it, a dotted domain with
/// no empty label, no whitespace, at most 254 bytes. Enough to catch a name or an id where the
/// address belongs; the service decides the rest.
///
/// ```
/// use openai_invites_core::is_plausible_email;
///
/// assert!(is_plausible_email("ana@example.com"));
/// for bad in ["ana", "@example.com", "ana@example", "ana@@x.com", "a b@x.com", "a@x..com"] {
///     assert!(!is_plausible_email(bad), "{bad}");
/// }
/// ```
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && !email.contains(char::is_whitespace)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_email_agrees_with_the_keys() {
        let pairs = [
            ("Ana@Example.com", "ana@example.com", true),
            ("  ana@example.com\t", "ANA@EXAMPLE.COM", true),
            ("ÉLO@example.com", "élo@example.com", true),
            ("ana@example.com", "ana@example.co", false),
            ("", " ", true),
        ];
        for (a, b, same) in pairs {
            assert_eq!(same_email(a, b), same, "{a:?} {b:?}");
            assert_eq!(email_key(a) == email_key(b), same, "{a:?} {b:?}");
        }
    }

    #[test]
    fn a_long_address_is_not_plausible() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(!is_plausible_email(&long));
    }
}
