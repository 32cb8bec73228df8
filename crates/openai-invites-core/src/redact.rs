//! Keeping secrets (an admin key, proxy credentials, a control token) out of any text that is
//! shown or kept, even where a server echoes them back: the one engine the client's errors,
//! the fake's log and the cassettes use.
//!
//! Each occurrence of a secret becomes `[redacted]`: the secret as it is, and percent-encoded
//! (in any part, in either case). With [`partial_echoes`](Redactor::partial_echoes) also any
//! run of at least [`MIN_FRAGMENT`] of its characters, and a prefix of at least [`MIN_TAIL`]
//! characters at the very end of a text (a body cut inside the secret).
//!
//! ```
//! use openai_invites_core::redact::Redactor;
//!
//! let redactor = Redactor::new().secret("sk-admin-Abc123DEF456ghi789").partial_echoes();
//! assert_eq!(redactor.scrub("Bearer sk-admin-Abc123DEF456ghi789"), "Bearer [redacted]");
//! assert_eq!(redactor.scrub("key=sk%2Dadmin%2DAbc123DEF456ghi789&x=1"), "key=[redacted]&x=1");
//! assert_eq!(redactor.scrub("got 'Abc123DEF456gh'"), "got '[redacted]'");
//! assert_eq!(redactor.scrub("... Bearer sk-ad"), "... Bearer [redacted]");
//! assert_eq!(redactor.scrub("nothing to hide"), "nothing to hide");
//! ```

use std::borrow::Cow;
use std::fmt;

use memchr::memmem;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";
/// The shortest secret (in characters) a [`Redactor`] takes: shorter ones would blank ordinary
/// text.
pub const MIN_SECRET_LEN: usize = 4;
/// With partial echoes, the shortest run of a secret's bytes scrubbed anywhere in a text.
pub const MIN_FRAGMENT: usize = 12;
/// With partial echoes, the shortest prefix of a secret scrubbed at the end of a text.
pub const MIN_TAIL: usize = 4;

/// A set of secrets, and how hard to look for them.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
    partial: bool,
}

/// How many, never what.
impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .field("partial_echoes", &self.partial)
            .finish()
    }
}

impl Redactor {
    /// A redactor with no secrets: it changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `secret` (see [`add`](Self::add)).
    pub fn secret(mut self, secret: &str) -> Self {
        self.add(secret);
        self
    }

    /// Adds `secret`, unless it is shorter than [`MIN_SECRET_LEN`] characters or already known.
    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() >= MIN_SECRET_LEN && !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_owned());
        }
    }

    /// Also scrubs partial echoes: runs of [`MIN_FRAGMENT`] or more of a secret's bytes, and a
    /// secret's prefix of [`MIN_TAIL`] or more bytes ending a text.
    pub fn partial_echoes(mut self) -> Self {
        self.partial = true;
        self
    }

    /// Whether it knows no secret.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Whether `text` holds anything [`scrub_bytes`](Self::scrub_bytes) would replace.
    pub fn occurs_in(&self, text: &[u8]) -> bool {
        !self.spans(text).is_empty()
    }

    /// `text` with each run of secrets replaced by one `[redacted]`; borrowed when there was
    /// none. A replacement never splits a character.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let spans = self.spans(text.as_bytes());
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let widened = spans.into_iter().map(|(mut from, mut to)| {
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            while !text.is_char_boundary(to) {
                to += 1;
            }
            (from, to)
        });
        let bytes = splice(text.as_bytes(), widened.collect());
        // Whole characters were replaced by ASCII, so the text is still UTF-8.
        Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    }

    /// [`scrub`](Self::scrub) for bytes that need not be UTF-8 (a body).
    pub fn scrub_bytes<'a>(&self, text: &'a [u8]) -> Cow<'a, [u8]> {
        let spans = self.spans(text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(splice(text, spans))
    }

    /// Writes what `value` writes, scrubbed: for `Display` and `Debug` of a type that may hold
    /// a secret (`{:#}` is passed on).
    ///
    /// ```
    /// use std::fmt;
    /// use openai_invites_core::redact::Redactor;
    ///
    /// struct Echo(Redactor, String);
    /// impl fmt::Display for Echo {
    ///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    ///         self.0.write(f, &|f| write!(f, "the server said: {}", self.1))
    ///     }
    /// }
    /// let echo = Echo(Redactor::new().secret("hunter2-pw"), "hunter2-pw!".into());
    /// assert_eq!(echo.to_string(), "the server said: [redacted]!");
    /// ```
    pub fn write(
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

    /// Where the secrets are in `text`: byte ranges, unsorted, possibly overlapping.
    fn spans(&self, text: &[u8]) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        if self.secrets.is_empty() || text.is_empty() {
            return spans;
        }
        self.find(text, &mut |from, to| spans.push((from, to)));
        if memchr::memchr(b'%', text).is_some() {
            // The same search in the percent-decoded text, marking the escapes it came from.
            let (decoded, origin) = percent_decoded(text);
            if decoded.len() < text.len() {
                self.find(&decoded, &mut |from, to| {
                    spans.push((origin[from].0, origin[to - 1].1));
                });
            }
        }
        spans
    }

    /// Calls `found(from, to)` for every secret, fragment or tail in `text`.
    fn find(&self, text: &[u8], found: &mut dyn FnMut(usize, usize)) {
        for secret in &self.secrets {
            let secret = secret.as_bytes();
            for at in memmem::find_iter(text, secret) {
                found(at, at + secret.len());
            }
            if self.partial {
                fragments(text, secret, found);
                let longest = secret.len().min(text.len()).saturating_sub(1);
                if let Some(n) = (MIN_TAIL..=longest)
                    .rev()
                    .find(|&n| text.ends_with(&secret[..n]))
                {
                    found(text.len() - n, text.len());
                }
            }
        }
    }
}

/// Every run of at least [`MIN_FRAGMENT`] bytes of `text` that also occurs in `secret`.
fn fragments(text: &[u8], secret: &[u8], found: &mut dyn FnMut(usize, usize)) {
    if secret.len() < MIN_FRAGMENT {
        return;
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
            found(i, i + longest);
            i += longest;
        } else {
            i += 1;
        }
    }
}

/// `text` with `%XX` escapes decoded, and for each decoded byte the range of `text` it came
/// from.
fn percent_decoded(text: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut decoded = Vec::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let escape = match (text[i], text.get(i + 1), text.get(i + 2)) {
            (b'%', Some(&high), Some(&low)) => hex(high).zip(hex(low)),
            _ => None,
        };
        let (byte, len) = match escape {
            // Two hex digits make at most 0xFF.
            Some((high, low)) => (u8::try_from(high * 16 + low).unwrap_or(b'%'), 3),
            None => (text[i], 1),
        };
        decoded.push(byte);
        origin.push((i, i + len));
        i += len;
    }
    (decoded, origin)
}

/// `text` with each run of `spans` (merged where they overlap or touch) replaced once.
fn splice(text: &[u8], mut spans: Vec<(usize, usize)>) -> Vec<u8> {
    spans.sort_unstable();
    let mut out = Vec::with_capacity(text.len());
    let mut copied = 0;
    let mut spans = spans.into_iter().peekable();
    while let Some((from, mut to)) = spans.next() {
        while let Some((_, next_to)) = spans.next_if(|&(next_from, _)| next_from <= to) {
            to = to.max(next_to);
        }
        out.extend_from_slice(&text[copied..from]);
        out.extend_from_slice(REDACTED.as_bytes());
        copied = to;
    }
    out.extend_from_slice(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-admin-Abc123DEF456ghi789JKL0";

    fn client() -> Redactor {
        Redactor::new()
            .secret(KEY)
            .secret("hunter2-proxy")
            .secret("YW5hOmh1bnRlcjItcHJveHk=")
            .partial_echoes()
    }

    #[test]
    fn whole_and_prefixed_echoes_are_scrubbed() {
        let r = client();
        let text = format!("Authorization: Bearer {KEY}\r\nX: y");
        assert_eq!(r.scrub(&text), "Authorization: Bearer [redacted]\r\nX: y");
        assert_eq!(
            r.scrub("Proxy-Authorization: Basic YW5hOmh1bnRlcjItcHJveHk="),
            "Proxy-Authorization: Basic [redacted]"
        );
        assert_eq!(r.scrub("password=hunter2-proxy;"), "password=[redacted];");
    }

    #[test]
    fn encoded_partial_and_truncated_echoes_are_scrubbed() {
        let r = Redactor::new()
            .secret("sk-admin-a/b+c=d~e_1234567")
            .partial_echoes();
        for encoded in [
            "key=sk-admin-a%2Fb%2Bc%3Dd~e_1234567&x=1",
            "key=sk-admin-a%2fb%2bc%3dd~e_1234567&x=1",
        ] {
            assert_eq!(r.scrub(encoded), "key=[redacted]&x=1");
        }
        assert_eq!(
            r.scrub("key=sk%2Dadmin%2Da%2Fb%2Bc%3Dd%7Ee_1234567 100%"),
            "key=[redacted] 100%"
        );
        let r = client();
        // A run of the key's characters, e.g. the key without its first characters.
        assert_eq!(
            r.scrub("got 'Abc123DEF456ghi' from you"),
            "got '[redacted]' from you"
        );
        // A snippet cut inside the key.
        assert_eq!(r.scrub("... Bearer sk-ad"), "... Bearer [redacted]");
        // Ordinary text is left alone, and borrowed.
        assert!(matches!(
            r.scrub("an admin key (sk-admin-…) is needed"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn without_partial_echoes_only_whole_secrets_go() {
        let r = Redactor::new()
            .secret("sk-admin-test")
            .secret("control-token-1");
        assert_eq!(
            r.scrub("a sk-admin-test b sk-admin-testsk-admin-test control-token-1"),
            "a [redacted] b [redacted] [redacted]"
        );
        assert_eq!(r.scrub("sk-admin-tes stays"), "sk-admin-tes stays");
        assert!(r.occurs_in(b"xx sk%2Dadmin-test"));
        assert!(!r.occurs_in(b"sk-admin-tes"));
        assert_eq!(
            r.scrub_bytes(b"\xffsk-admin-test\xfe").as_ref(),
            b"\xff[redacted]\xfe"
        );
    }

    #[test]
    fn short_and_repeated_secrets_are_not_kept() {
        let mut r = Redactor::new().secret("abc").secret("abcd").secret("abcd");
        assert_eq!(
            format!("{r:?}"),
            "Redactor { secrets: 1, partial_echoes: false }"
        );
        r.add("");
        assert!(!r.is_empty());
        assert!(Redactor::new().is_empty());
        assert_eq!(Redactor::new().scrub("abcd"), "abcd");
    }

    #[test]
    fn multibyte_text_around_a_secret_stays_valid() {
        let r = client();
        assert_eq!(r.scrub(&format!("é{KEY}é")), "é[redacted]é");
        // A fragment that starts inside a character (the last byte of `©` is that of `é`).
        let r = Redactor::new().secret("ééééééééé-secret").partial_echoes();
        assert_eq!(r.scrub("x©éééééé-secret"), "x[redacted]");
    }

    #[test]
    fn display_goes_through_the_scrubber() {
        struct Leaky;
        impl fmt::Display for Leaky {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                client().write(f, &|f| {
                    write!(f, "token {KEY} {}", if f.alternate() { "#" } else { "" })
                })
            }
        }
        assert_eq!(Leaky.to_string(), "token [redacted] ");
        assert_eq!(format!("{Leaky:#}"), "token [redacted] #");
    }
}
