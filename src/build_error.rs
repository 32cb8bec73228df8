//! `BuildError`: why the builder refused the configuration. A leaf: the transport and the
//! layers that check settings at build time name it, and it names nothing of theirs.

use crate::scrub::Secrets;

/// Why [`ClientBuilder::build`](crate::ClientBuilder::build) refused the configuration.
///
/// No variant ever prints the admin key, the userinfo of a URL or proxy credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No admin key was given (`admin_key(..)` or `OPENAI_ADMIN_KEY` through `from_env()`).
    #[error("no admin key: call `admin_key(..)` or set OPENAI_ADMIN_KEY and use `from_env()`")]
    MissingAdminKey,
    /// `from_env()` found `OPENAI_API_KEY` but no `OPENAI_ADMIN_KEY`. The API key is never
    /// read: the invites API needs an organization admin key, which is a different key.
    #[error(
        "no admin key: OPENAI_ADMIN_KEY is not set; OPENAI_API_KEY is, but it is deliberately \
         not read: the invites API needs an organization admin key (sk-admin-...), not a \
         project API key. Set OPENAI_ADMIN_KEY or call `admin_key(..)`"
    )]
    ApiKeyNotRead,
    /// The admin key cannot be sent in a header.
    #[error("the admin key is unusable: {0}")]
    InvalidAdminKey(&'static str),
    /// A header value (organization, project, user agent suffix) is unusable.
    #[error("`{name}` cannot be sent as a header value: {reason}")]
    InvalidHeader {
        /// Which setting.
        name: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The base URL is not usable (its userinfo, if any, is never printed).
    #[error(transparent)]
    BaseUrl(#[from] openai_invites_core::BaseUrlError),
    /// Plain `http://` to a host that is not loopback would send the key in clear text.
    #[error(
        "refusing plain http:// to `{host}`: the admin key would travel in clear text; use \
         https, a loopback host, or `allow_insecure_http(true)`"
    )]
    InsecureHttp {
        /// The host.
        host: String,
    },
    /// A proxy URL (from `proxy(..)` or a proxy variable) is not usable. The URL itself is
    /// not printed: it may carry credentials.
    #[error("unusable proxy URL from {origin}: {reason}")]
    Proxy {
        /// `proxy(..)`, or the variable it came from (`HTTPS_PROXY`, `all_proxy`...).
        origin: String,
        /// Why.
        reason: &'static str,
    },
    /// Root certificates (from `add_root_certificate_der`, `add_root_certificates_pem`,
    /// `SSL_CERT_FILE` or `SSL_CERT_DIR`) could not be used.
    #[error("cannot trust the root certificates of {origin}: {reason}")]
    RootCertificates {
        /// Where they came from, e.g. `SSL_CERT_FILE=/etc/corp/ca.pem`.
        origin: String,
        /// Why, e.g. `No such file or directory (os error 2)`.
        reason: String,
    },
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// A setting is out of range.
    #[error("invalid setting `{name}`: {reason}")]
    InvalidSetting {
        /// Which setting.
        name: &'static str,
        /// Why.
        reason: &'static str,
    },
}

impl BuildError {
    /// No admin key was found ([`MissingAdminKey`](Self::MissingAdminKey) or
    /// [`ApiKeyNotRead`](Self::ApiKeyNotRead)).
    pub fn is_missing_admin_key(&self) -> bool {
        matches!(self, Self::MissingAdminKey | Self::ApiKeyNotRead)
    }

    /// The error with `secrets` scrubbed from every text it holds (a key pasted as the base
    /// URL, a file name...).
    pub(crate) fn scrubbed(self, secrets: &Secrets) -> Self {
        let scrub = |text: String| secrets.scrub(&text).into_owned();
        match self {
            Self::BaseUrl(error) => Self::BaseUrl(error.map_url(scrub)),
            Self::InsecureHttp { host } => Self::InsecureHttp { host: scrub(host) },
            Self::Proxy { origin, reason } => Self::Proxy {
                origin: scrub(origin),
                reason,
            },
            Self::RootCertificates { origin, reason } => Self::RootCertificates {
                origin: scrub(origin),
                reason: scrub(reason),
            },
            Self::Tls(text) => Self::Tls(scrub(text)),
            other => other,
        }
    }
}
