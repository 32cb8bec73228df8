//! The HTTPS server every TLS runner talks to: hyper-util's auto server (HTTP/2 by ALPN,
//! HTTP/1.1 otherwise) over rustls with the ring provider and an rcgen certificate for
//! `localhost`, on its own runtime thread.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::common;

/// Connections the server accepted.
static ACCEPTED: AtomicU64 = AtomicU64::new(0);

/// Connections accepted so far.
pub fn accepted() -> u64 {
    ACCEPTED.load(Ordering::Relaxed)
}

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

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("server runtime: {e}"));
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let _ = tx.send(
                listener
                    .local_addr()
                    .unwrap_or_else(|e| panic!("addr: {e}")),
            );
            let one = common::invite_body();
            let page = common::page_body(100);
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
                let _ = tcp.set_nodelay(true);
                let (acceptor, one, page) = (acceptor.clone(), one.clone(), page.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service =
                        hyper::service::service_fn(move |request: http::Request<Incoming>| {
                            let body = if request.uri().path().ends_with("/invites") {
                                &page
                            } else {
                                &one
                            };
                            let response = common::ok_response(body).map(Full::new);
                            async move { Ok::<_, std::convert::Infallible>(response) }
                        });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
    });
    let addr = rx
        .recv()
        .unwrap_or_else(|e| panic!("server did not start: {e}"));
    Started { addr, pem }
}
