//! Which certificates the client trusts: the built-in roots (webpki's, or the system's with the
//! `native-roots` feature) or, as curl and OpenSSL do, `SSL_CERT_FILE` / `SSL_CERT_DIR`
//! instead of them; plus any given to the builder, as DER or PEM.
//!
//! A file that cannot be used is a build error naming the file and the reason; in an
//! `SSL_CERT_DIR`, files that hold no certificate are skipped (such directories also hold
//! other things), but a directory that cannot be read is an error.

use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::BuildError;
use crate::environment::{ENV_SSL_CERT_DIR, ENV_SSL_CERT_FILE, NetworkEnv};

/// A certificate source given to the builder.
#[derive(Clone)]
enum Extra {
    Der(Vec<u8>),
    Pem(Vec<u8>),
}

/// Which certificates the client trusts.
#[derive(Clone, Default)]
pub(crate) struct RootCertificates {
    /// Skip the default roots (built-in, or `SSL_CERT_FILE` / `SSL_CERT_DIR`).
    no_defaults: bool,
    /// Certificates trusted in addition (e.g. a private CA, a test certificate).
    extra: Vec<Extra>,
}

impl RootCertificates {
    pub(crate) fn set_defaults(&mut self, enabled: bool) {
        self.no_defaults = !enabled;
    }

    pub(crate) fn add_der(&mut self, der: Vec<u8>) {
        self.extra.push(Extra::Der(der));
    }

    pub(crate) fn add_pem(&mut self, pem: Vec<u8>) {
        self.extra.push(Extra::Pem(pem));
    }

    /// The store: the default roots (unless turned off), then the extra ones.
    pub(crate) fn store(&self, env: &NetworkEnv) -> Result<RootCertStore, BuildError> {
        let mut roots = RootCertStore::empty();
        if !self.no_defaults {
            let file = env.cert_file.as_ref().map(|v| PathBuf::from(&v.value));
            let dirs = env
                .cert_dir
                .as_ref()
                .map(|v| std::env::split_paths(&v.value));
            if file.is_none() && dirs.is_none() {
                add_built_in(&mut roots)?;
            }
            if let Some(file) = file {
                let origin = format!("{ENV_SSL_CERT_FILE}={}", file.display());
                let bytes = std::fs::read(&file).map_err(|e| error(&origin, e.to_string()))?;
                add_pem(&mut roots, &bytes, &origin)?;
            }
            for dir in dirs
                .into_iter()
                .flatten()
                .filter(|d| !d.as_os_str().is_empty())
            {
                add_dir(&mut roots, &dir)?;
            }
        }
        let (mut der, mut pem) = (0, 0);
        for extra in &self.extra {
            match extra {
                Extra::Der(bytes) => {
                    der += 1;
                    let origin = format!("add_root_certificate_der (certificate {der})");
                    roots
                        .add(CertificateDer::from(bytes.clone()))
                        .map_err(|e| error(&origin, e.to_string()))?;
                }
                Extra::Pem(bytes) => {
                    pem += 1;
                    let origin = format!("add_root_certificates_pem (bundle {pem})");
                    add_pem(&mut roots, bytes, &origin)?;
                }
            }
        }
        if roots.is_empty() {
            return Err(BuildError::Tls("no root certificate to trust".into()));
        }
        Ok(roots)
    }
}

fn error(origin: &str, reason: impl Into<String>) -> BuildError {
    BuildError::RootCertificates {
        origin: origin.to_owned(),
        reason: reason.into(),
    }
}

/// Every certificate of a PEM bundle; a bundle without one, or with one rustls refuses, is an
/// error.
fn add_pem(roots: &mut RootCertStore, bytes: &[u8], origin: &str) -> Result<(), BuildError> {
    let mut added = 0;
    for (n, certificate) in CertificateDer::pem_slice_iter(bytes).enumerate() {
        let certificate =
            certificate.map_err(|e| error(origin, format!("certificate {}: {e}", n + 1)))?;
        roots
            .add(certificate)
            .map_err(|e| error(origin, format!("certificate {}: {e}", n + 1)))?;
        added += 1;
    }
    if added == 0 {
        return Err(error(origin, "no PEM certificate in it"));
    }
    Ok(())
}

/// The certificates of every file of `dir` that holds some (not recursive; links followed).
fn add_dir(roots: &mut RootCertStore, dir: &Path) -> Result<(), BuildError> {
    let origin = format!("{ENV_SSL_CERT_DIR}={}", dir.display());
    let entries = std::fs::read_dir(dir).map_err(|e| error(&origin, e.to_string()))?;
    for entry in entries {
        let path = entry.map_err(|e| error(&origin, e.to_string()))?.path();
        if !path.is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for certificate in CertificateDer::pem_slice_iter(&bytes).flatten() {
            // A certificate rustls cannot use as a root is skipped, as OpenSSL would.
            let _ = roots.add(certificate);
        }
    }
    Ok(())
}

#[cfg(not(feature = "native-roots"))]
fn add_built_in(roots: &mut RootCertStore) -> Result<(), BuildError> {
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(())
}

#[cfg(feature = "native-roots")]
fn add_built_in(roots: &mut RootCertStore) -> Result<(), BuildError> {
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, String)]) -> NetworkEnv {
        let map: HashMap<&str, String> = pairs.iter().cloned().collect();
        NetworkEnv::read(|name| map.get(name).cloned())
    }

    /// A self-signed certificate for `invites.test` (fixed, so these tests need no generator).
    const CERTIFICATE: &str = "\
-----BEGIN CERTIFICATE-----
MIIBnzCCAUSgAwIBAgIUCLwNPdlA2btc8IJpKTxNANdZ4EIwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMaW52aXRlcy50ZXN0MCAXDTI2MTIwNjE1NTYwN1oYDzIxMjYx
MTEyMTU1NjA3WjAXMRUwEwYDVQQDDAxpbnZpdGVzLnRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAARbucHAlinIKUIhjVagUuAgJ1WbUhPWAmWymJEbigKkokxD
3jeugqPVpURiVnfNEBIHh7tPWoHRvbP9AMsach77o2wwajAdBgNVHQ4EFgQUvpUA
KqOcMW/N7XeU7dEXH+hlcqkwHwYDVR0jBBgwFoAUvpUAKqOcMW/N7XeU7dEXH+hl
cqkwDwYDVR0TAQH/BAUwAwEB/zAXBgNVHREEEDAOggxpbnZpdGVzLnRlc3QwCgYI
KoZIzj0EAwIDSQAwRgIhANDbxWr4PxTjbOhrx9WOhYdq3YS4LT/z4JFCZ6YA1l51
AiEA2rPKlLzRMVd/zQupKSRWpZ0oNC/7RHgpzg7vsGVWCtQ=
-----END CERTIFICATE-----
";

    fn pem() -> String {
        CERTIFICATE.to_owned()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "openai-invites-roots-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn only_extra() -> RootCertificates {
        let mut roots = RootCertificates::default();
        roots.set_defaults(false);
        roots
    }

    #[test]
    fn a_pem_bundle_adds_every_certificate() {
        let mut roots = only_extra();
        roots.add_pem(format!("# a comment\n{}{}", pem(), pem()).into_bytes());
        assert_eq!(roots.store(&NetworkEnv::default()).unwrap().len(), 2);
    }

    #[test]
    fn a_bundle_without_certificates_is_an_error_that_says_so() {
        let mut roots = only_extra();
        roots.add_pem(b"not a certificate".to_vec());
        let err = roots.store(&NetworkEnv::default()).unwrap_err().to_string();
        assert!(
            err.contains("add_root_certificates_pem") && err.contains("no PEM"),
            "{err}"
        );
        let mut broken = only_extra();
        broken.add_pem(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n".to_vec());
        let err = broken
            .store(&NetworkEnv::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("certificate 1"), "{err}");
    }

    #[test]
    fn ssl_cert_file_replaces_the_built_in_roots() {
        let dir = temp_dir("file");
        let file = dir.join("bundle.pem");
        std::fs::write(&file, pem()).unwrap();
        let vars = env(&[("SSL_CERT_FILE", file.display().to_string())]);
        let store = RootCertificates::default().store(&vars).unwrap();
        assert_eq!(store.len(), 1);
        // Without it, the built-in roots.
        let built_in = RootCertificates::default()
            .store(&NetworkEnv::default())
            .unwrap();
        assert!(built_in.len() > 50);
        // Turned off, it is not read at all.
        let mut off = only_extra();
        off.add_pem(pem().into_bytes());
        assert_eq!(off.store(&vars).unwrap().len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_missing_or_empty_file_is_an_error_naming_it() {
        let dir = temp_dir("bad");
        let missing = dir.join("missing.pem");
        let vars = env(&[("SSL_CERT_FILE", missing.display().to_string())]);
        let err = RootCertificates::default()
            .store(&vars)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("missing.pem") && err.contains("SSL_CERT_FILE"),
            "{err}"
        );
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let vars = env(&[("SSL_CERT_FILE", empty.display().to_string())]);
        let err = RootCertificates::default()
            .store(&vars)
            .unwrap_err()
            .to_string();
        assert!(err.contains("empty.pem") && err.contains("no PEM"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn ssl_cert_dir_reads_every_file_with_certificates() {
        let first = temp_dir("dir-a");
        let second = temp_dir("dir-b");
        std::fs::write(first.join("a.pem"), pem()).unwrap();
        std::fs::write(first.join("README"), "not a certificate").unwrap();
        std::fs::write(second.join("0123abcd.0"), format!("{}{}", pem(), pem())).unwrap();
        let joined = std::env::join_paths([&first, &second]).unwrap();
        let vars = env(&[("SSL_CERT_DIR", joined.to_string_lossy().into_owned())]);
        assert_eq!(RootCertificates::default().store(&vars).unwrap().len(), 3);
        let gone = env(&[("SSL_CERT_DIR", first.join("nope").display().to_string())]);
        let err = RootCertificates::default()
            .store(&gone)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SSL_CERT_DIR") && err.contains("nope"),
            "{err}"
        );
        let _ = (
            std::fs::remove_dir_all(first),
            std::fs::remove_dir_all(second),
        );
    }
}
