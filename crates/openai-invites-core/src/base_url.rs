//! `BaseUrl`: where the API lives, e.g. `https://api.openai.com/v1`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// The official API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// An absolute `http` or `https` URL that operation paths are joined onto.
///
/// A trailing slash is dropped, so joining never doubles a slash; a query, a fragment or
/// credentials in the URL are refused, since an operation could not keep them.
///
/// ```
/// use openai_invites_core::BaseUrl;
///
/// let base: BaseUrl = "https://api.openai.com/v1/".parse()?;
/// assert_eq!(base.join("/organization/invites"), "https://api.openai.com/v1/organization/invites");
/// assert_eq!(base.host(), "api.openai.com");
/// assert_eq!(base.port(), 443);
/// assert!("ftp://example.com".parse::<BaseUrl>().is_err());
/// # Ok::<(), openai_invites_core::BaseUrlError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    url: String,
    https: bool,
    host: String,
    port: u16,
}

/// Why a string is not a usable base URL. The URL it quotes never includes credentials
/// (`https://user:secret@host` is quoted as `https://[redacted]@host`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base URL `{url}`: {reason}")]
pub struct BaseUrlError {
    url: String,
    reason: &'static str,
}

impl BaseUrlError {
    fn new(url: &str, reason: &'static str) -> Self {
        // Bounded: the message should stay readable even for a pasted blob.
        let url = without_userinfo(url).chars().take(200).collect();
        Self { url, reason }
    }

    /// What is wrong with the URL.
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// The URL as the error quotes it (credentials already redacted).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same error with its quoted URL rewritten, e.g. to scrub a secret pasted into it.
    pub fn map_url(mut self, rewrite: impl FnOnce(String) -> String) -> Self {
        self.url = rewrite(self.url);
        self
    }
}

/// `url` with the userinfo of its authority (`user:password@`) replaced by `[redacted]@`,
/// for printing a URL that may carry credentials.
///
/// ```
/// use openai_invites_core::without_userinfo;
///
/// assert_eq!(without_userinfo("https://sk-admin-x@api.openai.com/v1"), "https://[redacted]@api.openai.com/v1");
/// assert_eq!(without_userinfo("https://api.openai.com/v1?a=b@c"), "https://api.openai.com/v1?a=b@c");
/// ```
pub fn without_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &url[..start], &url[start + at..]).into(),
        None => url.into(),
    }
}

impl BaseUrl {
    /// Parses and normalises a base URL.
    pub fn parse(input: &str) -> Result<Self, BaseUrlError> {
        let err = |reason| BaseUrlError::new(input, reason);
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(err("it is empty"));
        }
        if trimmed.contains(['?', '#']) {
            return Err(err("a base URL cannot carry a query or a fragment"));
        }
        if !trimmed.contains("://") {
            return Err(err("it must be absolute, e.g. https://api.openai.com/v1"));
        }
        let uri = http::Uri::from_str(trimmed).map_err(|_| err("it is not a valid URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            Some(_) => return Err(err("only http and https URLs are supported")),
            None => return Err(err("it must be absolute, e.g. https://api.openai.com/v1")),
        };
        let authority = uri.authority().ok_or_else(|| err("it has no host"))?;
        if authority.as_str().contains('@') {
            return Err(err(
                "credentials in the URL are not supported; use the admin key",
            ));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(err("it has no host"));
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path = uri.path().trim_end_matches('/');
        let scheme = if https { "https" } else { "http" };
        Ok(Self {
            url: format!("{scheme}://{authority}{path}"),
            https,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The normalised URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `base + path`; `path` starts with `/`.
    pub fn join(&self, path: &str) -> String {
        let mut out = String::with_capacity(self.url.len() + path.len());
        out.push_str(&self.url);
        if !path.starts_with('/') {
            out.push('/');
        }
        out.push_str(path);
        out
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The host, lowercase (IPv6 addresses keep their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the host is `localhost` or a loopback address (`127.0.0.0/8`, `::1`).
    /// Subdomains of `localhost` do not count.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        // Only the literal name: `*.localhost` may be sent to a resolver that does not treat it
        // specially.
        host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        Self {
            url: DEFAULT_BASE_URL.to_owned(),
            https: true,
            host: "api.openai.com".to_owned(),
            port: 443,
        }
    }
}

impl FromStr for BaseUrl {
    type Err = BaseUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for BaseUrl {
    type Error = BaseUrlError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_the_constant() {
        assert_eq!(
            BaseUrl::default(),
            BaseUrl::parse(DEFAULT_BASE_URL).unwrap()
        );
    }

    #[test]
    fn trailing_slashes_do_not_double() {
        for input in [
            "http://127.0.0.1:8080/v1",
            "http://127.0.0.1:8080/v1/",
            "http://127.0.0.1:8080/v1//",
        ] {
            let base = BaseUrl::parse(input).unwrap();
            assert_eq!(base.join("/x"), "http://127.0.0.1:8080/v1/x");
            assert_eq!(base.port(), 8080);
            assert!(base.is_loopback());
        }
        let root = BaseUrl::parse("https://example.com").unwrap();
        assert_eq!(root.join("/x"), "https://example.com/x");
        assert_eq!(root.join("x"), "https://example.com/x");
    }

    #[test]
    fn loopback_detection() {
        assert!(BaseUrl::parse("http://[::1]:9/v1").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://localhost/v1").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://127.8.9.1/v1").unwrap().is_loopback());
        assert!(!BaseUrl::parse("http://10.0.0.1/v1").unwrap().is_loopback());
        assert!(
            !BaseUrl::parse("http://localhost.evil.com/v1")
                .unwrap()
                .is_loopback()
        );
    }

    #[test]
    fn rejects_what_cannot_be_a_base() {
        for (input, reason) in [
            ("", "empty"),
            ("api.openai.com/v1", "absolute"),
            ("/v1", "absolute"),
            ("ftp://example.com", "http and https"),
            ("https://example.com/v1?x=1", "query"),
            ("https://example.com/v1#frag", "fragment"),
            ("https://user:pw@example.com/v1", "credentials"),
            ("https://sk-admin-secret@api.openai.com/v1", "credentials"),
            ("https://exa mple.com", "valid URL"),
        ] {
            let err = BaseUrl::parse(input).unwrap_err();
            assert!(err.to_string().contains(reason), "{input}: {err}");
            for text in [err.to_string(), format!("{err:?}")] {
                assert!(!text.contains("pw@") && !text.contains("secret"), "{text}");
            }
        }
    }
}

#[cfg(test)]
mod userinfo_tests {
    use super::*;

    #[test]
    fn userinfo_is_redacted_wherever_it_is() {
        let err = BaseUrl::parse("https://sk-admin-XYZ:@api.openai.com/v1?x").unwrap_err();
        assert_eq!(err.url(), "https://[redacted]@api.openai.com/v1?x");
        let err = BaseUrl::parse("user:pw@host/v1").unwrap_err();
        assert_eq!(err.url(), "[redacted]@host/v1");
        // An `@` in the path is not userinfo.
        let err = BaseUrl::parse("https://host/a@b?q").unwrap_err();
        assert_eq!(err.url(), "https://host/a@b?q");
        let mapped = err.map_url(|url| url.replace("a@b", "[x]"));
        assert_eq!(mapped.url(), "https://host/[x]?q");
    }
}
