//! The two keys one limiter uses, under one hash tag so they live in one Redis Cluster slot
//! (a script may only touch keys of one slot).

use crate::error::BuildError;

/// The prefix inside every hash tag.
const PREFIX: &str = "openai-invites";

/// The Redis keys of one shared limit named `name`: `{openai-invites:<name>}:tat` (the GCRA
/// state) and `{openai-invites:<name>}:pause` (the shared 429 cooldown). Every replica that
/// uses the same name shares the limit.
///
/// ```
/// use openai_invites_redis::Keys;
///
/// let keys = Keys::new("org-abc")?;
/// assert_eq!(keys.tat(), "{openai-invites:org-abc}:tat");
/// assert_eq!(keys.pause(), "{openai-invites:org-abc}:pause");
/// # Ok::<(), openai_invites_redis::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    tat: String,
    pause: String,
}

impl Keys {
    /// The keys for `name`; refused when it is empty or holds a brace (it would end or nest
    /// the hash tag, and the two keys could land in different slots).
    pub fn new(name: &str) -> Result<Self, BuildError> {
        if name.is_empty() || name.contains(['{', '}']) {
            return Err(BuildError::KeyName(name.to_owned()));
        }
        let tag = format!("{{{PREFIX}:{name}}}");
        Ok(Self {
            tat: format!("{tag}:tat"),
            pause: format!("{tag}:pause"),
        })
    }

    /// The key holding the theoretical arrival time (microseconds of Redis `TIME`).
    pub fn tat(&self) -> &str {
        &self.tat
    }

    /// The key holding the end of the shared pause (microseconds of Redis `TIME`).
    pub fn pause(&self) -> &str {
        &self.pause
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The part of a key Redis Cluster hashes: between the first `{` and the next `}`.
    fn hash_tag(key: &str) -> &str {
        let open = key.find('{').unwrap();
        let close = open + key[open..].find('}').unwrap();
        &key[open + 1..close]
    }

    #[test]
    fn both_keys_share_one_hash_tag() {
        let keys = Keys::new("tenant:eu-1").unwrap();
        assert_eq!(hash_tag(keys.tat()), "openai-invites:tenant:eu-1");
        assert_eq!(hash_tag(keys.tat()), hash_tag(keys.pause()));
        assert_ne!(keys.tat(), keys.pause());
    }

    #[test]
    fn names_that_would_break_the_tag_are_refused() {
        for name in ["", "a}b", "{a}", "x{"] {
            assert!(
                matches!(Keys::new(name), Err(BuildError::KeyName(n)) if n == name),
                "{name:?}"
            );
        }
    }
}
