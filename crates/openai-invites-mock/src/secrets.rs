//! Keeping the admin key and the control token out of everything the fake shows or keeps.
//!
//! A client may send a secret where nobody expects it (an `x-api-key` header, a query
//! parameter, a JSON field); the log, the control API and the answers replace every occurrence
//! with `[redacted]`. A secret shorter than [`MIN_SCRUBBED_LEN`] characters is only redacted
//! in the credential headers: scrubbing a two-letter key everywhere would mangle every log.

use std::borrow::Cow;

/// Secrets at least this long are scrubbed wherever they appear.
pub(crate) const MIN_SCRUBBED_LEN: usize = 8;

/// What a scrubbed secret is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// The secrets of one fake.
#[derive(Debug, Clone, Default)]
pub(crate) struct Secrets {
    list: Vec<String>,
}

impl Secrets {
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            list: secrets
                .into_iter()
                .filter(|s| s.len() >= MIN_SCRUBBED_LEN)
                .map(str::to_owned)
                .collect(),
        }
    }

    /// Whether any secret occurs in `bytes`.
    pub(crate) fn occur_in(&self, bytes: &[u8]) -> bool {
        self.list
            .iter()
            .any(|s| find(bytes, s.as_bytes()).is_some())
    }

    /// `bytes` with every secret replaced; borrowed when there was none.
    pub(crate) fn scrub_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        if !self.occur_in(bytes) {
            return Cow::Borrowed(bytes);
        }
        let mut out = bytes.to_vec();
        for secret in &self.list {
            out = replace(&out, secret.as_bytes());
        }
        Cow::Owned(out)
    }

    /// `text` with every secret replaced; borrowed when there was none.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.scrub_bytes(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Replacing a valid UTF-8 sequence by ASCII keeps it valid UTF-8.
            Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn replace(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(REDACTED.as_bytes());
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_every_occurrence_of_long_secrets_only() {
        let secrets = Secrets::new(["sk-admin-test", "short", "control-token-1"]);
        assert_eq!(
            secrets.scrub("a sk-admin-test b sk-admin-testsk-admin-test control-token-1"),
            "a [redacted] b [redacted][redacted] [redacted]"
        );
        assert_eq!(secrets.scrub("short stays"), "short stays");
        assert!(matches!(secrets.scrub("nothing here"), Cow::Borrowed(_)));
        assert!(secrets.occur_in(b"xx sk-admin-test"));
        assert!(!secrets.occur_in(b"sk-admin-tes"));
        assert_eq!(
            secrets.scrub_bytes(b"\xffsk-admin-test\xfe").as_ref(),
            b"\xff[redacted]\xfe"
        );
    }
}
