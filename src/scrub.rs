//! `Secrets`: what the client must never print (the admin key, proxy credentials), and the
//! scrubbing of any text that could echo them.
//!
//! A misbehaving server or proxy may echo the request into its answer: a 502 page with the
//! `Authorization` line, a 200 whose undecodable body quotes the headers. The client therefore
//! scrubs, when it builds an [`Error`](crate::Error), every text that came from the network
//! (the error body, the envelope's fields, the decode snippet), and scrubs `Display` and
//! `Debug` of the error as a whole when they are written.
//!
//! What is scrubbed, each replaced by `[redacted]`:
//! - the key itself, so also `Bearer <key>`, and its percent-encoded forms;
//! - any run of at least [`MIN_FRAGMENT`] characters of the key (a truncated or partial echo);
//! - a prefix of the key of at least [`MIN_TAIL`] characters at the very end of a text (a body
//!   snippet cut in the middle of the key);
//! - the same for the proxy's password, its `user:password` and its `Basic` base64.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The replacement text.
pub(crate) const REDACTED: &str = "[redacted]";
/// The shortest run of a secret's characters that is scrubbed anywhere in a text.
pub(crate) const MIN_FRAGMENT: usize = 12;
/// The shortest prefix of a secret that is scrubbed at the end of a text.
pub(crate) const MIN_TAIL: usize = 4;
/// The shortest secret scrubbed as a whole word; shorter ones would blank ordinary text.
const MIN_SECRET: usize = 4;
/// What an admin key looks like.
pub(crate) const ADMIN_KEY_PREFIX: &str = "sk-admin-";

/// Percent-encoding leaves RFC 3986's unreserved characters alone.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The secrets of one client.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    /// Secrets as they may appear whole, including encoded forms.
    whole: Vec<String>,
    /// Secrets whose fragments and truncated tails are scrubbed too.
    partial: Vec<String>,
    /// Whether the admin key has the `sk-admin-` shape.
    admin_shaped: bool,
}

impl Secrets {
    /// The secrets of a client with this key and these proxy secrets.
    pub(crate) fn new(key: &str, proxy: &[String]) -> Self {
        let mut out = Self {
            admin_shaped: key.starts_with(ADMIN_KEY_PREFIX),
            ..Self::default()
        };
        for secret in std::iter::once(key).chain(proxy.iter().map(String::as_str)) {
            out.add(secret);
        }
        out
    }

    fn add(&mut self, secret: &str) {
        if secret.chars().count() < MIN_SECRET {
            return;
        }
        let encoded = utf8_percent_encode(secret, UNRESERVED).to_string();
        let lower = encoded.to_ascii_lowercase();
        let forms = [secret.to_owned(), encoded.clone(), percent_lower(&encoded, &lower)];
        for form in forms {
            if !self.whole.contains(&form) {
                self.whole.push(form);
            }
        }
        self.partial.push(secret.to_owned());
    }

    /// Whether the admin key looks like one (`sk-admin-...`), for the hint on a 401.
    pub(crate) fn admin_shaped(&self) -> bool {
        self.admin_shaped
    }

    /// `text` with every secret replaced by `[redacted]`; borrowed when there was none.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.whole.is_empty() || text.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut marked = vec![false; text.len()];
        let mut any = false;
        let mut mark = |from: usize, to: usize| {
            marked[from..to].iter_mut().for_each(|m| *m = true);
            any = true;
        };
        for secret in &self.whole {
            for (at, found) in text.match_indices(secret.as_str()) {
                mark(at, at + found.len());
            }
        }
        let bytes = text.as_bytes();
        for secret in &self.partial {
            let secret = secret.as_bytes();
            for (from, to) in fragments(bytes, secret) {
                mark(from, to);
            }
            let longest = secret.len().min(bytes.len()).saturating_sub(1);
            if let Some(n) = (MIN_TAIL..=longest).rev().find(|&n| bytes.ends_with(&secret[..n])) {
                mark(bytes.len() - n, bytes.len());
            }
        }
        if !any {
            return Cow::Borrowed(text);
        }
        Cow::Owned(replace_marked(text, &marked))
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

    /// Writes `value` through [`scrub`](Self::scrub); `debug` picks `{:?}` over `{}`.
    pub(crate) fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        value: &dyn Fn(&mut fmt::Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        struct Via<'a>(&'a dyn Fn(&mut fmt::Formatter<'_>) -> fmt::Result);
        impl fmt::Display for Via<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                (self.0)(f)
            }
        }
        let text = if f.alternate() {
            format!("{:#}", Via(value))
        } else {
            Via(value).to_string()
        };
        f.write_str(&self.scrub(&text))
    }
}

/// `%2d` where `encoded` has `%2D`: some servers echo lowercase hex.
fn percent_lower(encoded: &str, lower: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let (mut rest, mut lowered) = (encoded, lower);
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let end = (at + 3).min(rest.len());
        out.push_str(&lowered[at..end]);
        rest = &rest[end..];
        lowered = &lowered[end..];
    }
    out.push_str(rest);
    out
}

/// Every run of at least [`MIN_FRAGMENT`] bytes of `text` that also occurs in `secret`.
fn fragments(text: &[u8], secret: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if secret.len() < MIN_FRAGMENT {
        return out;
    }
    let mut i = 0;
    while i + MIN_FRAGMENT <= text.len() {
        let longest = (0..secret.len())
            .map(|j| {
                text[i..]
                    .iter()
                    .zip(&secret[j..])
                    .take_while(|(a, b)| a == b)
                    .count()
            })
            .max()
            .unwrap_or(0);
        if longest >= MIN_FRAGMENT {
            out.push((i, i + longest));
            i += longest;
        } else {
            i += 1;
        }
    }
    out
}

/// `text` with each run of marked bytes (widened to whole characters) replaced once.
fn replace_marked(text: &str, marked: &[bool]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for (at, c) in text.char_indices() {
        if marked[at..at + c.len_utf8()].iter().any(|m| *m) {
            if !in_run {
                out.push_str(REDACTED);
                in_run = true;
            }
        } else {
            in_run = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-admin-Abc123DEF456ghi789JKL0";

    fn secrets() -> Secrets {
        Secrets::new(KEY, &["hunter2-proxy".into(), "YW5hOmh1bnRlcjItcHJveHk=".into()])
    }

    #[test]
    fn whole_and_prefixed_echoes_are_scrubbed() {
        let s = secrets();
        let text = format!("Authorization: Bearer {KEY}\r\nX: y");
        assert_eq!(s.scrub(&text), "Authorization: Bearer [redacted]\r\nX: y");
        assert_eq!(s.scrub("Proxy-Authorization: Basic YW5hOmh1bnRlcjItcHJveHk="),
            "Proxy-Authorization: Basic [redacted]");
        assert_eq!(s.scrub("password=hunter2-proxy;"), "password=[redacted];");
    }

    #[test]
    fn encoded_partial_and_truncated_echoes_are_scrubbed() {
        let s = Secrets::new("sk-admin-a/b+c=d~e_1234567", &[]);
        assert_eq!(s.scrub("key=sk-admin-a%2Fb%2Bc%3Dd~e_1234567&x=1"), "key=[redacted]&x=1");
        assert_eq!(s.scrub("key=sk-admin-a%2fb%2bc%3dd~e_1234567&x=1"), "key=[redacted]&x=1");
        let s = secrets();
        // A run of the key's characters, e.g. the key without its first characters.
        assert_eq!(s.scrub("got 'Abc123DEF456ghi' from you"), "got '[redacted]' from you");
        // A snippet cut inside the key.
        assert_eq!(s.scrub("... Bearer sk-ad"), "... Bearer [redacted]");
        // Ordinary text is left alone, and borrowed.
        assert!(matches!(s.scrub("an admin key (sk-admin-…) is needed"), Cow::Borrowed(_)));
    }

    #[test]
    fn multibyte_text_around_a_secret_stays_valid() {
        let s = secrets();
        let text = format!("é{KEY}é");
        assert_eq!(s.scrub(&text), "é[redacted]é");
    }

    #[test]
    fn the_key_shape_is_known() {
        assert!(secrets().admin_shaped());
        assert!(!Secrets::new("sk-proj-abcdef", &[]).admin_shaped());
    }

    #[test]
    fn display_and_debug_go_through_the_scrubber() {
        struct Leaky;
        impl fmt::Display for Leaky {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                secrets().write(f, &|f| write!(f, "token {KEY} {}", if f.alternate() { "#" } else { "" }))
            }
        }
        assert_eq!(Leaky.to_string(), "token [redacted] ");
        assert_eq!(format!("{Leaky:#}"), "token [redacted] #");
    }
}
