//! The HTTPS server every TLS runner talks to: hyper-util's auto server (HTTP/2 by ALPN,
//! HTTP/1.1 otherwise) over rustls with the ring provider and an rcgen certificate for
//! `localhost`, on its own runtime thread (`common/server.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::common::server;

/// Where the server listens, and the certificate to trust (PEM).
pub struct Started {
    pub addr: SocketAddr,
    pub pem: String,
}

/// Starts the server: a canned retrieve body, or a canned page of 100 for the list path.
pub fn start() -> Started {
    let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("key: {e}"));
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap_or_else(|e| panic!("params: {e}"));
    let certificate = params
        .self_signed(&key)
        .unwrap_or_else(|e| panic!("certificate: {e}"));
    let pem = certificate.pem();
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .and_then(|b| {
        b.with_no_client_auth()
            .with_single_cert(vec![certificate.der().clone()], private)
    })
    .unwrap_or_else(|e| panic!("server TLS: {e}"));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));

    let addr = server::start(move |tcp, canned| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), canned.service())
                .await;
        }
    });
    Started { addr, pem }
}
