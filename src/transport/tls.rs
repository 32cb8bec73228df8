//! The rustls configuration: an explicit `ring` provider (never a process-wide default that
//! could clash with the host application's), webpki or native roots, plus extra roots.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::CertificateDer;

use crate::BuildError;

/// Which certificates the client trusts.
#[derive(Clone, Default)]
pub(crate) struct RootCertificates {
    /// Skip the built-in roots (webpki, or native with the `native-roots` feature).
    pub(crate) no_built_in: bool,
    /// DER certificates trusted in addition (e.g. a private CA, a test certificate).
    pub(crate) extra: Vec<Vec<u8>>,
}

impl RootCertificates {
    /// Builds the rustls client config.
    pub(crate) fn client_config(&self) -> Result<ClientConfig, BuildError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        if !self.no_built_in {
            add_built_in(&mut roots)?;
        }
        for der in &self.extra {
            roots
                .add(CertificateDer::from(der.clone()))
                .map_err(|e| BuildError::Tls(format!("invalid root certificate: {e}")))?;
        }
        if roots.is_empty() {
            return Err(BuildError::Tls("no root certificate to trust".into()));
        }
        // ALPN (h2, http/1.1) is set by the hyper-rustls connector builder.
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| BuildError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(config)
    }
}

#[cfg(not(feature = "native-roots"))]
fn add_built_in(roots: &mut rustls::RootCertStore) -> Result<(), BuildError> {
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(())
}

#[cfg(feature = "native-roots")]
fn add_built_in(roots: &mut rustls::RootCertStore) -> Result<(), BuildError> {
    let found = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(BuildError::Tls(format!(
            "no usable native root certificate ({} errors)",
            found.errors.len()
        )));
    }
    Ok(())
}
