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
//! - the key itself, so also `Bearer <key>`, also where the text percent-encodes it (in any
//!   part, in either case);
//! - any run of at least [`MIN_FRAGMENT`] characters of the key (a truncated or partial echo);
//! - a prefix of the key of at least [`MIN_TAIL`] characters at the very end of a text (a body
//!   snippet cut in the middle of the key);
//! - the same for the proxy's password, its `user:password` and its `Basic` base64.

use std::borrow::Cow;
use std::fmt;

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

/// The secrets of one client.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    /// The secrets; their fragments and truncated tails are scrubbed too.
    secrets: Vec<String>,
    /// Whether the admin key has the `sk-admin-` shape.
    admin_shaped: bool,
}

/// How many, never what.
impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("count", &self.secrets.len())
            .finish_non_exhaustive()
    }
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
        if secret.chars().count() >= MIN_SECRET && !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_owned());
        }
    }

    /// Whether the admin key looks like one (`sk-admin-...`), for the hint on a 401.
    pub(crate) fn admin_shaped(&self) -> bool {
        self.admin_shaped
    }

    /// `text` with every secret replaced by `[redacted]`; borrowed when there was none.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.secrets.is_empty() || text.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut marked = vec![false; text.len()];
        let bytes = text.as_bytes();
        let mut any = self.mark(bytes, &mut |from, to| {
            marked[from..to].iter_mut().for_each(|m| *m = true);
        });
        if text.contains('%') {
            // The same search in the percent-decoded text, marking the escapes it came from.
            let (decoded, spans) = percent_decoded(bytes);
            any |= self.mark(&decoded, &mut |from, to| {
                let (start, end) = (spans[from].0, spans[to - 1].1);
                marked[start..end].iter_mut().for_each(|m| *m = true);
            });
        }
        if !any {
            return Cow::Borrowed(text);
        }
        Cow::Owned(replace_marked(text, &marked))
    }

    /// Calls `mark(from, to)` for every secret, fragment or tail in `text`; whether any.
    fn mark(&self, text: &[u8], mark: &mut dyn FnMut(usize, usize)) -> bool {
        let mut any = false;
        for secret in &self.secrets {
            let secret = secret.as_bytes();
            let mut found = |from, to| {
                mark(from, to);
                any = true;
            };
            for at in occurrences(text, secret) {
                found(at, at + secret.len());
            }
            for (from, to) in fragments(text, secret) {
                found(from, to);
            }
            let longest = secret.len().min(text.len()).saturating_sub(1);
            if let Some(n) = (MIN_TAIL..=longest)
                .rev()
                .find(|&n| text.ends_with(&secret[..n]))
            {
                found(text.len() - n, text.len());
            }
        }
        any
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

    /// Writes what `value` writes, through [`scrub`](Self::scrub) (`{:#}` and `{:#?}` are
    /// passed on).
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

/// `text` with `%XX` escapes decoded, and for each decoded byte the span of `text` it came
/// from.
fn percent_decoded(text: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
    let hex = |b: u8| (b as char).to_digit(16);
    let (mut decoded, mut spans) = (
        Vec::with_capacity(text.len()),
        Vec::with_capacity(text.len()),
    );
    let mut i = 0;
    while i < text.len() {
        let escape = match (text[i], text.get(i + 1), text.get(i + 2)) {
            (b'%', Some(&high), Some(&low)) => hex(high).zip(hex(low)),
            _ => None,
        };
        match escape {
            Some((high, low)) => {
                decoded.push((high * 16 + low) as u8);
                spans.push((i, i + 3));
                i += 3;
            }
            None => {
                decoded.push(text[i]);
                spans.push((i, i + 1));
                i += 1;
            }
        }
    }
    (decoded, spans)
}

/// Where `needle` starts in `text`.
fn occurrences<'a>(text: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    text.windows(needle.len().max(1))
        .enumerate()
        .filter(move |(_, window)| *window == needle)
        .map(|(at, _)| at)
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
        Secrets::new(
            KEY,
            &["hunter2-proxy".into(), "YW5hOmh1bnRlcjItcHJveHk=".into()],
        )
    }

    #[test]
    fn whole_and_prefixed_echoes_are_scrubbed() {
        let s = secrets();
        let text = format!("Authorization: Bearer {KEY}\r\nX: y");
        assert_eq!(s.scrub(&text), "Authorization: Bearer [redacted]\r\nX: y");
        assert_eq!(
            s.scrub("Proxy-Authorization: Basic YW5hOmh1bnRlcjItcHJveHk="),
            "Proxy-Authorization: Basic [redacted]"
        );
        assert_eq!(s.scrub("password=hunter2-proxy;"), "password=[redacted];");
    }

    #[test]
    fn encoded_partial_and_truncated_echoes_are_scrubbed() {
        let s = Secrets::new("sk-admin-a/b+c=d~e_1234567", &[]);
        assert_eq!(
            s.scrub("key=sk-admin-a%2Fb%2Bc%3Dd~e_1234567&x=1"),
            "key=[redacted]&x=1"
        );
        assert_eq!(
            s.scrub("key=sk-admin-a%2fb%2bc%3dd~e_1234567&x=1"),
            "key=[redacted]&x=1"
        );
        assert_eq!(
            s.scrub("key=sk%2Dadmin%2Da%2Fb%2Bc%3Dd%7Ee_1234567 100%"),
            "key=[redacted] 100%"
        );
        let s = secrets();
        // A run of the key's characters, e.g. the key without its first characters.
        assert_eq!(
            s.scrub("got 'Abc123DEF456ghi' from you"),
            "got '[redacted]' from you"
        );
        // A snippet cut inside the key.
        assert_eq!(s.scrub("... Bearer sk-ad"), "... Bearer [redacted]");
        // Ordinary text is left alone, and borrowed.
        assert!(matches!(
            s.scrub("an admin key (sk-admin-…) is needed"),
            Cow::Borrowed(_)
        ));
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
                secrets().write(f, &|f| {
                    write!(f, "token {KEY} {}", if f.alternate() { "#" } else { "" })
                })
            }
        }
        assert_eq!(Leaky.to_string(), "token [redacted] ");
        assert_eq!(format!("{Leaky:#}"), "token [redacted] #");
    }
}
