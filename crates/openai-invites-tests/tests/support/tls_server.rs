//! An HTTPS server on 127.0.0.1 with an rcgen certificate, answering an empty invite list;
//! it records what it accepted and what it was asked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub const PAGE: &str =
    r#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#;

/// What the server is given.
pub struct TlsOptions {
    /// The names the certificate is valid for.
    pub names: Vec<String>,
    /// ALPN protocols offered.
    pub alpn: Vec<Vec<u8>>,
    /// A certificate that expired in 2001.
    pub expired: bool,
}

impl TlsOptions {
    /// A certificate for `name`, h2 and http/1.1 offered.
    pub fn for_name(name: &str) -> Self {
        Self {
            names: vec![name.to_owned()],
            alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            expired: false,
        }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub version: http::Version,
    pub headers: http::HeaderMap,
}

pub struct TlsServer {
    pub port: u16,
    pub certificate: CertificateDer<'static>,
    pub pem: String,
    /// TCP connections accepted (a TLS handshake was attempted on each).
    pub accepted: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<Seen>>>,
}

impl TlsServer {
    pub async fn start(options: TlsOptions) -> Self {
        let mut params = rcgen::CertificateParams::new(options.names.clone()).unwrap();
        if options.expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let key = rcgen::KeyPair::generate().unwrap();
        let certified = params.self_signed(&key).unwrap();
        let certificate = certified.der().clone();
        let pem = certified.pem();
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone()], private)
        .unwrap();
        config.alpn_protocols = options.alpn;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (accepted.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service =
                        hyper::service::service_fn(move |request: http::Request<Incoming>| {
                            seen.lock().unwrap().push(Seen {
                                version: request.version(),
                                headers: request.headers().clone(),
                            });
                            async move {
                                Ok::<_, std::convert::Infallible>(
                                    http::Response::builder()
                                        .header("content-type", "application/json")
                                        .header("x-request-id", "req_tls")
                                        .body(Full::new(Bytes::from_static(PAGE.as_bytes())))
                                        .unwrap(),
                                )
                            }
                        });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Self {
            port,
            certificate,
            pem,
            accepted,
            requests,
        }
    }

    /// The requests served so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.requests.lock().unwrap().clone()
    }

    /// TCP connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
