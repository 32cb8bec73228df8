//! What a cassette may keep: allowlisted headers only, no credential anywhere (the core's
//! redaction engine, partial echoes included), emails masked on request.

use std::borrow::Cow;

use http::HeaderMap;
use openai_invites_core::redact::Redactor;

/// Headers kept by default, on requests and responses alike.
pub(crate) const DEFAULT_ALLOWED_HEADERS: [&str; 12] = [
    "content-type",
    "accept",
    "x-request-id",
    "openai-processing-ms",
    "retry-after",
    "retry-after-ms",
    "x-should-retry",
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
    "x-stainless-retry-count",
    "allow",
];

/// Headers never kept, even when allowlisted: their values are also scrubbed from every
/// other part of the exchange.
pub(crate) const CREDENTIAL_HEADERS: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
    "x-fake-control-token",
];

/// The credentials one request carries (and any the recorder was told about).
#[derive(Debug, Clone, Default)]
pub(crate) struct Credentials {
    redactor: Redactor,
}

impl Credentials {
    /// The values of the credential headers: the whole value, a bearer token, each cookie.
    pub(crate) fn of(headers: &HeaderMap, extra: &[String]) -> Self {
        let mut redactor = Redactor::new().partial_echoes();
        extra.iter().for_each(|secret| redactor.add(secret));
        for name in CREDENTIAL_HEADERS {
            for value in headers.get_all(name) {
                let Ok(text) = value.to_str() else { continue };
                redactor.add(text.trim());
                if let Some((_, token)) = text.trim().split_once(' ') {
                    redactor.add(token.trim());
                }
                for pair in text.split(';') {
                    if let Some((_, v)) = pair.split_once('=') {
                        redactor.add(v.trim());
                    }
                }
            }
        }
        Self { redactor }
    }

    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redactor.scrub(text)
    }
}

/// Replaces every email address in `text` with a stable stand-in, `user-<hash>@example.invalid`:
/// the same address always masks the same way, so a masked cassette still matches.
pub(crate) fn mask_emails(text: &str) -> Cow<'_, str> {
    if !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = text[at..].find('@') {
        let sign = at + offset;
        let start = (0..sign)
            .rev()
            .take_while(|&i| local(bytes[i]))
            .last()
            .unwrap_or(sign);
        let end = (sign + 1..bytes.len())
            .take_while(|&i| domain(bytes[i]))
            .last()
            .map_or(sign + 1, |i| i + 1);
        let host = text[sign + 1..end].trim_end_matches('.');
        let end = sign + 1 + host.len();
        let address = &text[start..end];
        let plausible = start < sign && host.contains('.') && !host.starts_with('.');
        if plausible && !is_masked(address) {
            out.push_str(&text[copied..start]);
            out.push_str(&format!("user-{:016x}@example.invalid", fnv1a(address)));
            copied = end;
        }
        at = end.max(sign + 1);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn is_masked(address: &str) -> bool {
    address.starts_with("user-") && address.ends_with("@example.invalid")
}

/// FNV-1a over the lowercased address: stable across runs and versions (unlike std's hasher).
fn fnv1a(address: &str) -> u64 {
    address.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn masks_addresses_inside_text_stably() {
        let once = mask_emails("A pending invite for 'Ana.B+x@Example.co.uk' exists.");
        assert!(!once.contains("Example"), "{once}");
        assert!(once.starts_with("A pending invite for 'user-"), "{once}");
        assert!(once.ends_with("@example.invalid' exists."), "{once}");
        assert_eq!(mask_emails(&once), once, "masking is idempotent");
        assert_eq!(
            mask_emails("ana.b+x@example.co.uk"),
            mask_emails("ANA.B+X@EXAMPLE.CO.UK")
        );
        assert_ne!(mask_emails("a@x.io"), mask_emails("b@x.io"));
        for untouched in [
            "no at sign",
            "@",
            "a@",
            "@x.io",
            "a@localhost",
            "price: 5 @ 3.",
        ] {
            assert_eq!(mask_emails(untouched), untouched);
        }
        let two = mask_emails("a@x.io, b@y.io.");
        assert_eq!(two.matches("@example.invalid").count(), 2, "{two}");
        assert!(two.ends_with('.'), "{two}");
    }

    #[test]
    fn credentials_are_found_and_scrubbed() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer sk-admin-1234".parse().unwrap());
        h.insert("openai-organization", "org-abc".parse().unwrap());
        h.insert("cookie", "session=s3cr3t-cookie; t=ok".parse().unwrap());
        let c = Credentials::of(&h, &["extra-secret".to_owned()]);
        let text = "k=sk-admin-1234 o=org-abc s3cr3t-cookie extra-secret ok";
        assert_eq!(
            c.scrub(text),
            "k=[redacted] o=[redacted] [redacted] [redacted] ok"
        );
        // The key percent-encoded (the space goes too: ` sk-admin-1234` is a run of the
        // header's value, `Bearer sk-admin-1234`), and a partial echo of a long key.
        assert_eq!(c.scrub("key: sk%2Dadmin-1234"), "key:[redacted]");
        h.insert(
            "authorization",
            "Bearer sk-admin-0123456789ab".parse().unwrap(),
        );
        let c = Credentials::of(&h, &[]);
        assert_eq!(c.scrub("echo: admin-0123456789"), "echo: [redacted]");
        assert!(matches!(c.scrub("clean"), Cow::Borrowed(_)));
    }
}
