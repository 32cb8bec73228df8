//! The rustls configuration: an explicit `ring` provider (never a process-wide default that
//! could clash with the host application's) and the trusted roots of [`RootCertificates`].

use std::sync::Arc;

use rustls::ClientConfig;

use super::RootCertificates;
use crate::BuildError;
use crate::environment::NetworkEnv;

/// Builds the rustls client config. ALPN (h2, http/1.1) is set by the hyper-rustls connector.
pub(crate) fn client_config(
    roots: &RootCertificates,
    env: &NetworkEnv,
) -> Result<ClientConfig, BuildError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Tls(e.to_string()))?
        .with_root_certificates(roots.store(env)?)
        .with_no_client_auth();
    Ok(config)
}
