//! Which proxy, if any, the client goes through: chosen once, at `build()`, for the one base
//! URL the client talks to.
//!
//! - [`ProxySetting::FromEnv`], the default, reads `https_proxy` / `http_proxy` / `all_proxy`, minus
//!   `no_proxy`, with curl's rules (hyper-util's [`Matcher`] applies them). A loopback base URL
//!   (`127.0.0.0/8`, `::1`, `localhost`) is never proxied this way.
//! - [`ProxySetting::Explicit`] names this proxy, for any base URL, loopback included.
//! - [`ProxySetting::Off`] connects directly.
//!
//! Only `http://` proxies are supported (the scheme may be left out, as curl allows): HTTPS
//! goes through a CONNECT tunnel with TLS to the API inside it, plain HTTP goes in absolute
//! form. Credentials in the URL (`http://user:pass@proxy:3128`) become a `Proxy-Authorization`
//! header sent to the proxy only; they never appear in `Debug`, `Display` or errors.

use std::fmt;

use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::Matcher;
use openai_invites_core::BaseUrl;
use percent_encoding::percent_decode_str;

use crate::BuildError;
use crate::environment::{NetworkEnv, Var};

/// curl's default proxy port.
const DEFAULT_PROXY_PORT: u16 = 1080;

/// How the builder was told to choose a proxy.
#[derive(Clone, Default)]
pub(crate) enum ProxySetting {
    /// From the environment (the default).
    #[default]
    FromEnv,
    /// This URL, for every destination.
    Explicit(String),
    /// No proxy.
    Off,
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnv => f.write_str("FromEnv"),
            Self::Explicit(url) => match parse(url) {
                Ok(proxy) => write!(f, "Explicit({})", proxy.label),
                Err(_) => f.write_str("Explicit(<unusable URL>)"),
            },
            Self::Off => f.write_str("Off"),
        }
    }
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
    /// What must never be printed: the password, `user:password`, the header's base64.
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
    ) -> Result<Option<Proxy>, BuildError> {
        match self {
            Self::Off => Ok(None),
            Self::Explicit(url) => parse(url)
                .map(Some)
                .map_err(|reason| proxy_error("proxy(..)", reason)),
            Self::FromEnv if base.is_loopback() => Ok(None),
            Self::FromEnv => from_env(env, base),
        }
    }
}

fn from_env(env: &NetworkEnv, base: &BaseUrl) -> Result<Option<Proxy>, BuildError> {
    let specific = if base.is_https() {
        &env.https_proxy
    } else {
        &env.http_proxy
    };
    let Some(var) = specific.as_ref().or(env.all_proxy.as_ref()) else {
        return Ok(None);
    };
    // Checked first, so that an unusable value is an error naming its variable rather than
    // being skipped (the matcher drops what it cannot parse).
    let proxy = parse(&var.value).map_err(|reason| proxy_error(var.name, reason))?;
    let value = |v: &Option<Var>| v.as_ref().map(|v| v.value.clone()).unwrap_or_default();
    // `*` exempts every host, IP addresses too, as in curl (hyper-util's matcher applies it
    // to names only).
    if value(&env.no_proxy)
        .split(',')
        .any(|entry| entry.trim() == "*")
    {
        return Ok(None);
    }
    let matcher = Matcher::builder()
        .all(value(&env.all_proxy))
        .http(value(&env.http_proxy))
        .https(value(&env.https_proxy))
        .no(value(&env.no_proxy))
        .build();
    let destination: Uri = base
        .as_str()
        .parse()
        .map_err(|_| proxy_error(var.name, "the base URL cannot be matched against NO_PROXY"))?;
    Ok(matcher.intercept(&destination).map(|_| proxy))
}

fn proxy_error(origin: &str, reason: &'static str) -> BuildError {
    BuildError::Proxy {
        origin: origin.to_owned(),
        reason,
    }
}

/// Parses a proxy URL. The reasons never quote the URL: it may carry a password.
pub(crate) fn parse(url: &str) -> Result<Proxy, &'static str> {
    let text = url.trim();
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("http".to_owned(), text),
    };
    match scheme.as_str() {
        "http" => {}
        "https" => return Err("TLS to the proxy (`https://`) is not supported: use `http://`"),
        s if s.starts_with("socks") => return Err("SOCKS proxies are not supported"),
        _ => return Err("the scheme must be `http://`"),
    }
    // The authority ends at the first `/`, `?` or `#`; a path is ignored, as curl does.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => (Some(userinfo), host_port),
        None => (None, authority),
    };
    let probe: Uri = format!("http://{host_port}/")
        .parse()
        .map_err(|_| "it is not a valid URL (percent-encode special characters in credentials)")?;
    let host = probe
        .host()
        .filter(|h| !h.is_empty())
        .ok_or("it has no host")?;
    let port = probe.port_u16().unwrap_or(DEFAULT_PROXY_PORT);
    let address = format!("{host}:{port}");
    let uri: Uri = format!("http://{address}/")
        .parse()
        .map_err(|_| "it is not a valid URL")?;
    let Some(userinfo) = userinfo else {
        return Ok(Proxy {
            uri,
            authorization: None,
            label: format!("http://{address}"),
            secrets: Vec::new(),
        });
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let user = percent_decode_str(user).decode_utf8_lossy().into_owned();
    let decoded = percent_decode_str(password)
        .decode_utf8_lossy()
        .into_owned();
    // hyper-util's matcher encodes the header exactly as its tunnel expects it.
    let authorization = Matcher::builder()
        .all(format!("http://{userinfo}@{address}"))
        .build()
        .intercept(&Uri::from_static("https://destination.invalid/"))
        .and_then(|intercept| intercept.basic_auth().cloned())
        .ok_or("its credentials cannot be sent in a header")?;
    let mut secrets = vec![format!("{user}:{decoded}")];
    if let Some(encoded) = authorization
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Basic "))
    {
        secrets.push(encoded.to_owned());
    }
    secrets.extend([decoded, password.to_owned()]);
    secrets.retain(|s| !s.is_empty());
    secrets.dedup();
    Ok(Proxy {
        uri,
        authorization: Some(authorization),
        label: format!("http://[redacted]@{address}"),
        secrets,
    })
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

    #[test]
    fn parses_credentials_and_defaults() {
        let p = parse("http://ana:p%40ss@proxy.corp:3128/ignored").unwrap();
        assert_eq!(p.uri, "http://proxy.corp:3128/");
        assert_eq!(p.label, "http://[redacted]@proxy.corp:3128");
        // base64("ana:p@ss")
        assert_eq!(p.authorization.as_ref().unwrap(), "Basic YW5hOnBAc3M=");
        assert!(p.authorization.unwrap().is_sensitive());
        for secret in ["ana:p@ss", "YW5hOnBAc3M=", "p@ss", "p%40ss"] {
            assert!(p.secrets.iter().any(|s| s == secret), "{secret}");
        }
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
        let text = err.to_string();
        assert!(
            text.contains("HTTPS_PROXY") && !text.contains("secret"),
            "{text}"
        );
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
