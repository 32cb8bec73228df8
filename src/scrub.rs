//! `Secrets`: what the client must never print (the admin key, proxy credentials), scrubbed by
//! the core's [`Redactor`](openai_invites_core::redact::Redactor) from every text that could
//! echo them.
//!
//! A misbehaving server or proxy may echo the request into its answer: a 502 page with the
//! `Authorization` line, a 200 whose undecodable body quotes the headers. The client therefore
//! scrubs, when it builds an [`Error`](crate::Error), every text that came from the network
//! (the error body, the envelope's fields, the decode snippet), and scrubs `Display` and
//! `Debug` of the error as a whole when they are written. Partial echoes count: fragments of
//! the key, a body cut inside it, the key percent-encoded (see the core's `redact` module).

use std::borrow::Cow;
use std::fmt;

use openai_invites_core::redact::Redactor;

/// What an admin key looks like.
pub(crate) const ADMIN_KEY_PREFIX: &str = "sk-admin-";

/// The secrets of one client.
#[derive(Clone, Default, Debug)]
pub(crate) struct Secrets {
    redactor: Redactor,
    /// Whether the admin key has the `sk-admin-` shape.
    admin_shaped: bool,
}

impl Secrets {
    /// The secrets of a client with this key and these proxy secrets (the password, its
    /// `user:password`, its `Basic` base64).
    pub(crate) fn new(key: &str, proxy: &[String]) -> Self {
        let mut redactor = Redactor::new().partial_echoes();
        for secret in std::iter::once(key).chain(proxy.iter().map(String::as_str)) {
            redactor.add(secret);
        }
        Self {
            redactor,
            admin_shaped: key.starts_with(ADMIN_KEY_PREFIX),
        }
    }

    /// Whether the admin key looks like one (`sk-admin-...`), for the hint on a 401.
    pub(crate) fn admin_shaped(&self) -> bool {
        self.admin_shaped
    }

    /// `text` with every secret replaced by `[redacted]`; borrowed when there was none.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redactor.scrub(text)
    }

    /// Scrubs `text` where it is.
    pub(crate) fn scrub_in_place(&self, text: &mut String) {
        if let Cow::Owned(scrubbed) = self.scrub(text) {
            *text = scrubbed;
        }
    }

    /// [`scrub`](Self::scrub) of an optional text.
    pub(crate) fn scrub_option(&self, text: &mut Option<String>) {
        if let Some(text) = text {
            self.scrub_in_place(text);
        }
    }

    /// Writes what `value` writes, through [`scrub`](Self::scrub) (`{:#}` is passed on).
    pub(crate) fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        value: &dyn Fn(&mut fmt::Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        self.redactor.write(f, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-admin-Abc123DEF456ghi789JKL0";

    #[test]
    fn the_key_and_proxy_secrets_are_scrubbed_with_their_partial_echoes() {
        let s = Secrets::new(KEY, &["hunter2-proxy".into()]);
        assert_eq!(s.scrub(&format!("Bearer {KEY}")), "Bearer [redacted]");
        assert_eq!(s.scrub("pw=hunter2-proxy"), "pw=[redacted]");
        assert_eq!(s.scrub("... Bearer sk-ad"), "... Bearer [redacted]");
        let mut text = Some("got 'Abc123DEF456ghi'".to_owned());
        s.scrub_option(&mut text);
        assert_eq!(text.as_deref(), Some("got '[redacted]'"));
        assert!(!format!("{s:?}").contains("Abc123"));
    }

    #[test]
    fn the_key_shape_is_known() {
        assert!(Secrets::new(KEY, &[]).admin_shaped());
        assert!(!Secrets::new("sk-proj-abcdef", &[]).admin_shaped());
    }
}
