//! The settings of the default transport: where it connects (proxy), whom it trusts (roots),
//! and its timeouts and pool. None applies to a swapped [`transport`](ClientBuilder::transport).

use std::time::Duration;

use super::ClientBuilder;
use crate::environment::NetworkEnv;
use crate::transport::proxy::ProxySetting;

impl ClientBuilder {
    /// TCP connect timeout of the default transport.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport_config.connect_timeout = timeout;
        self
    }

    /// The largest response body the default transport reads.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.transport_config.max_response_bytes = bytes;
        self
    }

    /// How long the default transport keeps an idle connection.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.transport_config.pool_idle_timeout = timeout;
        self
    }

    /// Idle connections kept per host by the default transport.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.transport_config.pool_max_idle_per_host = max;
        self
    }

    /// Trusts this DER-encoded certificate too (a private CA, a test server's certificate).
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.transport_config.roots.add_der(der.into());
        self
    }

    /// Trusts every certificate of this PEM bundle too (`-----BEGIN CERTIFICATE-----` blocks;
    /// other text in it is ignored), e.g. a corporate CA. A bundle without a usable
    /// certificate is a [`BuildError::RootCertificates`](crate::BuildError::RootCertificates).
    ///
    /// ```no_run
    /// use openai_invites::Client;
    ///
    /// let client = Client::builder()
    ///     .from_env()
    ///     .add_root_certificates_pem(std::fs::read("/etc/corp/ca-bundle.pem")?)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.transport_config.roots.add_pem(pem.into());
        self
    }

    /// Whether to trust the default roots (built-in, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when
    /// set); off, only the certificates added with the `add_root_certificate*` calls.
    pub fn tls_built_in_roots(mut self, enabled: bool) -> Self {
        self.transport_config.roots.set_defaults(enabled);
        self
    }

    /// Allows plain `http://` to hosts that are not loopback. The key then travels in clear
    /// text: only for trusted networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Goes through this `http://` proxy whatever the environment says, loopback included
    /// (`https` through a CONNECT tunnel). Credentials in the URL (percent-encoded) go to the
    /// proxy only and are never printed; without a port, 1080, as in curl. Without this call,
    /// the proxy comes from the [`environment`](crate::environment), never for loopback.
    ///
    /// ```
    /// use openai_invites::Client;
    ///
    /// let client = Client::builder()
    ///     .admin_key("sk-admin-example")
    ///     .proxy("http://ana:s3cret@proxy.corp:3128")
    ///     .build()?;
    /// assert_eq!(client.proxy(), Some("http://[redacted]@proxy.corp:3128"));
    /// assert!(!format!("{client:?}").contains("s3cret"));
    /// # Ok::<(), openai_invites::BuildError>(())
    /// ```
    pub fn proxy(mut self, url: &str) -> Self {
        self.proxy = ProxySetting::Explicit(url.to_owned());
        self
    }

    /// Connects directly: no proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Off;
        self
    }

    /// Reads the network variables (proxies, `SSL_CERT_FILE`, `SSL_CERT_DIR`) from `var`,
    /// now, instead of the process environment: for tests (`|_| None` ignores the machine's
    /// proxies), which must not change the process environment.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use openai_invites::Client;
    ///
    /// let env = HashMap::from([("https_proxy", "http://proxy.corp:3128"), ("NO_PROXY", ".openai.com")]);
    /// let client = Client::builder()
    ///     .admin_key("sk-admin-example")
    ///     .network_env_with(|name| env.get(name).map(|v| v.to_string()))
    ///     .build()?;
    /// assert_eq!(client.proxy(), None); // api.openai.com is in NO_PROXY
    /// # Ok::<(), openai_invites::BuildError>(())
    /// ```
    pub fn network_env_with(mut self, var: impl Fn(&str) -> Option<String>) -> Self {
        self.network_env = Some(NetworkEnv::read(var));
        self
    }
}
