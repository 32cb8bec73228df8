//! The network variables the client reads (proxies, trusted roots), read once per builder.
//!
//! [`ClientBuilder::build`](crate::ClientBuilder::build) reads them from the process
//! environment, unless [`from_env_with`](crate::ClientBuilder::from_env_with) or
//! [`network_env_with`](crate::ClientBuilder::network_env_with) gave another source: tests pass
//! a map instead of mutating the process environment.
//!
//! | variable | meaning |
//! |---|---|
//! | `https_proxy`, `HTTPS_PROXY` | proxy for `https` base URLs |
//! | `http_proxy`, `HTTP_PROXY` | proxy for plain `http` base URLs (`HTTP_PROXY` is ignored when `REQUEST_METHOD` is set: a CGI program's `HTTP_PROXY` can come from a request header) |
//! | `all_proxy`, `ALL_PROXY` | proxy for both, when the specific one is not set |
//! | `no_proxy`, `NO_PROXY` | hosts reached directly: `example.com` (and its subdomains), `.example.com`, IPs, CIDR ranges, `*` |
//! | `SSL_CERT_FILE` | a PEM bundle trusted instead of the built-in roots |
//! | `SSL_CERT_DIR` | directories of PEM certificates (`:`-separated) trusted instead of the built-in roots |
//!
//! As curl does, the lowercase name wins over the uppercase one, and an empty value counts as
//! unset.

use std::fmt;

/// `https_proxy` / `HTTPS_PROXY`.
pub const ENV_HTTPS_PROXY: [&str; 2] = ["https_proxy", "HTTPS_PROXY"];
/// `http_proxy` / `HTTP_PROXY`.
pub const ENV_HTTP_PROXY: [&str; 2] = ["http_proxy", "HTTP_PROXY"];
/// `all_proxy` / `ALL_PROXY`.
pub const ENV_ALL_PROXY: [&str; 2] = ["all_proxy", "ALL_PROXY"];
/// `no_proxy` / `NO_PROXY`.
pub const ENV_NO_PROXY: [&str; 2] = ["no_proxy", "NO_PROXY"];
/// `SSL_CERT_FILE`: a PEM bundle of trusted roots.
pub const ENV_SSL_CERT_FILE: &str = "SSL_CERT_FILE";
/// `SSL_CERT_DIR`: directories of trusted PEM certificates.
pub const ENV_SSL_CERT_DIR: &str = "SSL_CERT_DIR";
/// Set by web servers for CGI programs; then `HTTP_PROXY` may come from a request header.
const ENV_REQUEST_METHOD: &str = "REQUEST_METHOD";

/// One variable that was set: its name (for error messages) and its value.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Var {
    pub(crate) name: &'static str,
    pub(crate) value: String,
}

/// A snapshot of the network variables.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct NetworkEnv {
    pub(crate) https_proxy: Option<Var>,
    pub(crate) http_proxy: Option<Var>,
    pub(crate) all_proxy: Option<Var>,
    pub(crate) no_proxy: Option<Var>,
    pub(crate) cert_file: Option<Var>,
    pub(crate) cert_dir: Option<Var>,
}

impl NetworkEnv {
    /// Reads the variables from `var` (each name once).
    pub(crate) fn read(var: impl Fn(&str) -> Option<String>) -> Self {
        // Trimmed once here, so every reader of a value sees the same text (a proxy matcher
        // that cannot parse " http://proxy:3128" would otherwise skip it silently).
        let set = |name: &'static str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .map(|value| Var { name, value })
        };
        let first = |names: [&'static str; 2]| names.into_iter().find_map(set);
        let cgi = set(ENV_REQUEST_METHOD).is_some();
        let http_proxy = if cgi {
            set(ENV_HTTP_PROXY[0])
        } else {
            first(ENV_HTTP_PROXY)
        };
        Self {
            https_proxy: first(ENV_HTTPS_PROXY),
            http_proxy,
            all_proxy: first(ENV_ALL_PROXY),
            no_proxy: first(ENV_NO_PROXY),
            cert_file: set(ENV_SSL_CERT_FILE),
            cert_dir: set(ENV_SSL_CERT_DIR),
        }
    }

    /// Reads the process environment.
    pub(crate) fn from_process() -> Self {
        Self::read(|name| std::env::var(name).ok())
    }
}

/// Names which variables are set, never their values (a proxy URL may carry credentials).
impl fmt::Debug for NetworkEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = [
            &self.https_proxy,
            &self.http_proxy,
            &self.all_proxy,
            &self.no_proxy,
            &self.cert_file,
            &self.cert_dir,
        ]
        .into_iter()
        .flatten()
        .map(|v| v.name)
        .collect();
        f.debug_tuple("NetworkEnv").field(&names).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> NetworkEnv {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        NetworkEnv::read(|name| map.get(name).cloned())
    }

    #[test]
    fn lowercase_wins_and_empty_is_unset() {
        let e = env(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:1"),
            ("ALL_PROXY", "http://all:1"),
            ("all_proxy", " "),
            ("NO_PROXY", "example.com"),
        ]);
        assert_eq!(e.https_proxy.unwrap().value, "http://lower:1");
        let all = e.all_proxy.unwrap();
        assert_eq!(
            (all.name, all.value.as_str()),
            ("ALL_PROXY", "http://all:1")
        );
        assert_eq!(e.no_proxy.unwrap().name, "NO_PROXY");
        assert!(e.http_proxy.is_none());
    }

    #[test]
    fn cgi_ignores_uppercase_http_proxy_only() {
        let e = env(&[
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "http://from-a-header:1"),
            ("HTTPS_PROXY", "http://real:1"),
        ]);
        assert!(e.http_proxy.is_none());
        assert_eq!(e.https_proxy.unwrap().value, "http://real:1");
        let e = env(&[("REQUEST_METHOD", "GET"), ("http_proxy", "http://ok:1")]);
        assert_eq!(e.http_proxy.unwrap().value, "http://ok:1");
    }

    #[test]
    fn debug_names_variables_not_values() {
        let e = env(&[("HTTPS_PROXY", "http://user:hunter2@proxy:3128")]);
        let text = format!("{e:?}");
        assert!(
            text.contains("HTTPS_PROXY") && !text.contains("hunter2"),
            "{text}"
        );
    }
}
