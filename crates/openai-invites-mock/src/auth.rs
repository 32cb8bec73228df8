//! The bearer-key check, and keeping keys out of answers and logs.

use http::{HeaderMap, HeaderValue, StatusCode, header};
use openai_invites_core::redact::{REDACTED, Redactor};

use crate::envelope::{Failure, INVALID_REQUEST};

/// The real service's message for a request without a key.
const MISSING_KEY: &str = "You didn't provide an API key. You need to provide your API key in an \
    Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain \
    an API key from https://platform.openai.com/account/api-keys.";

/// Accepts exactly `Authorization: Bearer <admin_key>` (the scheme is case-insensitive).
pub(crate) fn check(headers: &HeaderMap, admin_key: &str) -> Result<(), Failure> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .filter(|token| !token.is_empty());
    match presented {
        None => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            INVALID_REQUEST,
            MISSING_KEY,
        )),
        Some(token) if token == admin_key => Ok(()),
        Some(token) => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            INVALID_REQUEST,
            format!(
                "Incorrect API key provided: {}. You can find your API key at \
                 https://platform.openai.com/account/api-keys.",
                mask(token)
            ),
        )
        .code("invalid_api_key")),
    }
}

fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Shows a key the way the real service does: a few characters at each end, never the middle,
/// and nothing at all of a short key.
pub(crate) fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len().max(4));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// The header that carries the control API's token (see the crate docs).
pub(crate) const CONTROL_TOKEN_HEADER: &str = "x-fake-control-token";

/// A copy of `headers` fit for a log: credentials replaced by `Bearer sk-a...[redacted]` (the
/// first four characters of a long key, so a test can tell which key was sent) or
/// `[redacted]`, and any other header that contains a secret replaced by `[redacted]`.
///
/// Every value is copied: a value hyper parsed shares the connection's read buffer, and a
/// log entry must not keep that buffer alive.
pub(crate) fn redact(headers: &HeaderMap, secrets: &Redactor) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let credential = name == header::AUTHORIZATION
            || name == header::PROXY_AUTHORIZATION
            || name.as_str() == CONTROL_TOKEN_HEADER;
        let kept = if credential {
            redacted_value(value.to_str().ok())
        } else if secrets.occurs_in(value.as_bytes()) {
            HeaderValue::from_static(REDACTED)
        } else {
            // Copying a value that was already valid cannot fail.
            HeaderValue::from_bytes(value.as_bytes())
                .unwrap_or_else(|_| HeaderValue::from_static(REDACTED))
        };
        out.append(name.clone(), kept);
    }
    out
}

fn redacted_value(value: Option<&str>) -> HeaderValue {
    let shown = value.and_then(|v| {
        let token = bearer_token(v)?;
        let head: String = token.chars().take(4).collect();
        (token.chars().count() >= 12).then(|| format!("Bearer {head}...[redacted]"))
    });
    shown
        .and_then(|s| HeaderValue::from_bytes(s.as_bytes()).ok())
        .unwrap_or_else(|| HeaderValue::from_static("[redacted]"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn accepts_only_the_configured_bearer_key() {
        assert!(check(&with_auth("Bearer sk-admin-test"), "sk-admin-test").is_ok());
        assert!(check(&with_auth("bearer sk-admin-test"), "sk-admin-test").is_ok());
        let missing = check(&HeaderMap::new(), "k").unwrap_err();
        assert_eq!(missing.status, 401);
        assert!(
            missing
                .body
                .message
                .starts_with("You didn't provide an API key")
        );
        assert_eq!(missing.body.code, None);
        for not_bearer in ["Basic abc", "Bearer ", "sk-admin-test"] {
            let err = check(&with_auth(not_bearer), "sk-admin-test").unwrap_err();
            assert_eq!(err.body.code, None, "{not_bearer}");
        }
        let wrong = check(&with_auth("Bearer sk-admin-wrong-secret"), "sk-admin-test").unwrap_err();
        assert_eq!(wrong.body.code.as_deref(), Some("invalid_api_key"));
        assert!(!wrong.body.message.contains("sk-admin-wrong-secret"));
        assert!(
            wrong.body.message.contains("sk-*"),
            "{}",
            wrong.body.message
        );
    }

    #[test]
    fn masking_never_shows_the_middle() {
        assert_eq!(mask("sk-admin-wrong-secret"), "sk-**************cret");
        assert_eq!(mask("short"), "*****");
        assert_eq!(mask(""), "****");
    }

    #[test]
    fn redaction() {
        let none = Redactor::default();
        let r = redact(&with_auth("Bearer sk-admin-test"), &none);
        assert_eq!(r[header::AUTHORIZATION], "Bearer sk-a...[redacted]");
        let r = redact(&with_auth("Basic dXNlcjpwYXNz"), &none);
        assert_eq!(r[header::AUTHORIZATION], "[redacted]");
        assert!(redact(&HeaderMap::new(), &none).is_empty());
    }

    #[test]
    fn a_secret_in_an_unexpected_header_is_redacted() {
        let secrets = Redactor::new()
            .secret("sk-admin-test")
            .secret("control-token-1");
        let mut h = with_auth("Bearer sk-admin-test");
        h.insert("x-api-key", "sk-admin-test".parse().unwrap());
        h.append("x-note", "key=control-token-1;".parse().unwrap());
        h.append("x-note", "harmless".parse().unwrap());
        h.insert(CONTROL_TOKEN_HEADER, "abc".parse().unwrap());
        let r = redact(&h, &secrets);
        assert_eq!(r["x-api-key"], "[redacted]");
        let notes: Vec<_> = r.get_all("x-note").iter().collect();
        assert_eq!(notes, ["[redacted]", "harmless"]);
        assert_eq!(r[CONTROL_TOKEN_HEADER], "[redacted]");
        assert_eq!(r.len(), h.len());
    }
}
