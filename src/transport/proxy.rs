//! Which proxy, if any, the client goes through: chosen once, at `build()`, for the one base
//! URL the client talks to. hyper-util's proxy [`Matcher`] reads the proxy URL, credentials
//! included, and applies `no_proxy`, with curl's rules; its tunnel then uses what it read.
//!
//! Only `http://` proxies are supported (the scheme may be left out): HTTPS goes through a
//! CONNECT tunnel, plain HTTP in absolute form. Credentials become a `Proxy-Authorization`
//! header sent to the proxy only, and never appear in `Debug`, `Display` or errors.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use openai_invites_core::BaseUrl;

use crate::environment::{NetworkEnv, Var};

/// curl's default proxy port.
const DEFAULT_PROXY_PORT: u16 = 1080;

/// What the matcher could not read. The URL is never quoted: it may carry a password.
const UNREADABLE: &str =
    "it is not a valid proxy URL (percent-encode special characters in credentials)";

/// How the builder was told to choose a proxy.
#[derive(Clone, Default)]
pub(crate) enum ProxySetting {
    /// From `https_proxy` / `http_proxy` / `all_proxy`, minus `no_proxy`; never for a loopback
    /// base URL.
    #[default]
    FromEnv,
    /// This URL, for every base URL, loopback included.
    Explicit(String),
    /// No proxy.
    Off,
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnv => f.write_str("FromEnv"),
            Self::Explicit(url) => match read(url, "", &Uri::from_static("https://any/")) {
                Ok(Some(proxy)) => write!(f, "Explicit({})", proxy.label),
                _ => f.write_str("Explicit(<unusable URL>)"),
            },
            Self::Off => f.write_str("Off"),
        }
    }
}

/// A proxy URL that cannot be used: where it came from, and why.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unusable {
    /// `proxy(..)`, or the variable (`HTTPS_PROXY`...).
    pub(crate) origin: &'static str,
    pub(crate) reason: &'static str,
}

/// A proxy in use.
#[derive(Clone)]
pub(crate) struct Proxy {
    /// `http://host:port/`, the address the connector dials.
    pub(crate) uri: Uri,
    /// `Basic ...`, marked sensitive, when the URL carried credentials.
    pub(crate) authorization: Option<HeaderValue>,
    /// `http://host:port`, or `http://[redacted]@host:port`: safe to print.
    pub(crate) label: String,
    /// What must never be printed: `user:password`, the header's base64, the password.
    pub(crate) secrets: Vec<String>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({})", self.label)
    }
}

impl ProxySetting {
    /// The proxy for `base`, or `None` to connect directly.
    pub(crate) fn choose(
        &self,
        env: &NetworkEnv,
        base: &BaseUrl,
    ) -> Result<Option<Proxy>, Unusable> {
        let (origin, url, no_proxy) = match self {
            Self::Off => return Ok(None),
            Self::Explicit(url) => ("proxy(..)", url.as_str(), ""),
            Self::FromEnv if base.is_loopback() => return Ok(None),
            Self::FromEnv => {
                let specific = match base.is_https() {
                    true => &env.https_proxy,
                    false => &env.http_proxy,
                };
                let Some(var) = specific.as_ref().or(env.all_proxy.as_ref()) else {
                    return Ok(None);
                };
                let no_proxy = env.no_proxy.as_ref().map_or("", |v: &Var| &v.value);
                (var.name, var.value.as_str(), no_proxy)
            }
        };
        let unusable = |reason| Unusable { origin, reason };
        let destination = base.as_str().parse().map_err(|_| unusable(UNREADABLE))?;
        read(url, no_proxy, &destination).map_err(unusable)
    }
}

/// The proxy that hyper-util's matcher reads from `url` for `destination`, unless `no_proxy`
/// exempts it.
fn read(url: &str, no_proxy: &str, destination: &Uri) -> Result<Option<Proxy>, &'static str> {
    let matcher = |no_proxy| Matcher::builder().all(url.trim()).no(no_proxy).build();
    // Read without exemptions first: an unusable URL is an error, not silently skipped.
    let intercept = matcher("").intercept(destination).ok_or(UNREADABLE)?;
    let proxy = Proxy::of(&intercept)?;
    // `*` exempts IP addresses too, as in curl (the matcher applies it to names only).
    let everything = no_proxy.split(',').any(|entry| entry.trim() == "*");
    let exempt = everything || matcher(no_proxy).intercept(destination).is_none();
    Ok((!exempt).then_some(proxy))
}

impl Proxy {
    /// What the transport needs of the proxy the matcher read.
    fn of(intercept: &Intercept) -> Result<Self, &'static str> {
        let read = intercept.uri();
        match read.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err("TLS to the proxy (`https://`) is not supported: use `http://`");
            }
            _ => return Err("SOCKS proxies are not supported: use `http://`"),
        }
        let host = read
            .host()
            .filter(|h| !h.is_empty())
            .ok_or("it has no host")?;
        let address = format!("{host}:{}", read.port_u16().unwrap_or(DEFAULT_PROXY_PORT));
        let uri = format!("http://{address}/")
            .parse()
            .map_err(|_| UNREADABLE)?;
        let Some(authorization) = intercept.basic_auth() else {
            return Ok(Self {
                uri,
                authorization: None,
                label: format!("http://{address}"),
                secrets: Vec::new(),
            });
        };
        // The header is what the matcher decoded from the URL: `Basic base64(user:password)`.
        let encoded = authorization
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Basic "));
        let encoded = encoded.ok_or("its credentials cannot be sent in a header")?;
        let decoded = BASE64.decode(encoded).map_err(|_| UNREADABLE)?;
        let user_password = String::from_utf8_lossy(&decoded).into_owned();
        let password = user_password
            .split_once(':')
            .map_or("", |(_, p)| p)
            .to_owned();
        let mut secrets = vec![user_password, encoded.to_owned(), password];
        secrets.retain(|s| !s.is_empty());
        Ok(Self {
            uri,
            authorization: Some(authorization.clone()),
            label: format!("http://[redacted]@{address}"),
            secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> NetworkEnv {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        NetworkEnv::read(|name| map.get(name).map(|v| v.to_string()))
    }

    fn chosen(pairs: &[(&str, &str)], base: &str) -> Option<String> {
        let base = BaseUrl::parse(base).unwrap();
        ProxySetting::FromEnv
            .choose(&env(pairs), &base)
            .unwrap()
            .map(|p| p.label)
    }

    fn parse(url: &str) -> Result<Proxy, &'static str> {
        let destination = Uri::from_static("https://api.openai.com/v1");
        read(url, "", &destination).map(|proxy| proxy.unwrap())
    }

    #[test]
    fn parses_credentials_and_defaults() {
        let p = parse("http://ana:p%40ss@proxy.corp:3128/ignored").unwrap();
        assert_eq!(p.uri, "http://proxy.corp:3128/");
        assert_eq!(p.label, "http://[redacted]@proxy.corp:3128");
        // base64("ana:p@ss")
        assert_eq!(p.authorization.as_ref().unwrap(), "Basic YW5hOnBAc3M=");
        assert!(p.authorization.unwrap().is_sensitive());
        for secret in ["ana:p@ss", "YW5hOnBAc3M=", "p@ss"] {
            assert!(p.secrets.iter().any(|s| s == secret), "{secret}");
        }
        // The password as the URL spelled it is scrubbed too (the scrubber percent-decodes).
        let secrets = crate::scrub::Secrets::new("sk-admin-x", &p.secrets);
        assert_eq!(secrets.scrub("pw=p%40ss"), "pw=[redacted]");
        let bare = parse("proxy.corp").unwrap();
        assert_eq!(bare.uri, "http://proxy.corp:1080/");
        assert!(bare.authorization.is_none() && bare.secrets.is_empty());
    }

    #[test]
    fn unusable_urls_are_refused_without_quoting_them() {
        for bad in [
            "https://proxy:443",
            "socks5://proxy:1080",
            "ftp://proxy",
            "http://",
            "http://us er:pw@pro xy:1",
        ] {
            let reason = parse(bad).unwrap_err();
            assert!(!reason.contains("pw"), "{bad}: {reason}");
        }
    }

    #[test]
    fn the_variables_apply_by_scheme_with_all_proxy_as_fallback() {
        let vars = [
            ("HTTPS_PROXY", "http://secure:1"),
            ("http_proxy", "http://plain:2"),
            ("ALL_PROXY", "http://all:3"),
        ];
        let https = "https://api.openai.com/v1";
        assert_eq!(chosen(&vars, https).as_deref(), Some("http://secure:1"));
        let plain = "http://api.example.com/v1";
        assert_eq!(chosen(&vars, plain).as_deref(), Some("http://plain:2"));
        let only_all = [("all_proxy", "http://all:3")];
        assert_eq!(chosen(&only_all, https).as_deref(), Some("http://all:3"));
        assert_eq!(chosen(&[], https), None);
        // Spaces around a value, as a shell script may leave them, change nothing.
        let spaced = [
            ("HTTPS_PROXY", " http://secure:1 "),
            ("NO_PROXY", " other.example "),
        ];
        assert_eq!(chosen(&spaced, https).as_deref(), Some("http://secure:1"));
        let exempt = [
            ("HTTPS_PROXY", " http://secure:1"),
            ("NO_PROXY", "api.openai.com "),
        ];
        assert_eq!(chosen(&exempt, https), None);
    }

    #[test]
    fn no_proxy_and_loopback_go_direct() {
        let https = "https://api.openai.com/v1";
        let proxy = ("HTTPS_PROXY", "http://proxy:1");
        for no in [
            "api.openai.com",
            ".openai.com",
            "openai.com",
            "*",
            "API.OPENAI.COM",
        ] {
            assert_eq!(chosen(&[proxy, ("NO_PROXY", no)], https), None, "{no}");
        }
        for no in ["openai.co", "notopenai.com", "10.0.0.0/8"] {
            assert!(chosen(&[proxy, ("no_proxy", no)], https).is_some(), "{no}");
        }
        for base in [
            "https://localhost:1/v1",
            "https://127.0.0.1:1/v1",
            "https://[::1]:1/v1",
        ] {
            assert_eq!(
                chosen(&[proxy, ("ALL_PROXY", "http://p:1")], base),
                None,
                "{base}"
            );
        }
        let ip = [
            ("https_proxy", "http://proxy:1"),
            ("NO_PROXY", "10.1.0.0/16"),
        ];
        assert_eq!(chosen(&ip, "https://10.1.2.3/v1"), None);
        let star = [
            ("https_proxy", "http://proxy:1"),
            ("NO_PROXY", "example.com, *"),
        ];
        assert_eq!(chosen(&star, "https://10.1.2.3/v1"), None);
    }

    #[test]
    fn explicit_proxies_apply_to_loopback_and_bad_variables_are_errors() {
        let base = BaseUrl::parse("http://127.0.0.1:9/v1").unwrap();
        let explicit = ProxySetting::Explicit("http://127.0.0.1:3128".into());
        assert!(
            explicit
                .choose(&NetworkEnv::default(), &base)
                .unwrap()
                .is_some()
        );
        let https = BaseUrl::parse("https://api.openai.com/v1").unwrap();
        let err = ProxySetting::FromEnv
            .choose(&env(&[("HTTPS_PROXY", "socks5://u:secret@p:1")]), &https)
            .unwrap_err();
        assert_eq!(err.origin, "HTTPS_PROXY");
        assert!(err.reason.contains("SOCKS"), "{err:?}");
        let off = ProxySetting::Off.choose(&env(&[("HTTPS_PROXY", "http://p:1")]), &https);
        assert!(off.unwrap().is_none());
    }

    #[test]
    fn debug_redacts_credentials() {
        let explicit = ProxySetting::Explicit("http://ana:hunter2@proxy:3128".into());
        let text = format!(
            "{explicit:?} {:?}",
            parse("http://ana:hunter2@proxy:1").unwrap()
        );
        assert!(
            !text.contains("hunter2") && text.contains("proxy:3128"),
            "{text}"
        );
    }
}
