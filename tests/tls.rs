//! HTTPS against a loopback server with a self-signed certificate, trusted through the
//! builder: HTTP/2 is negotiated by ALPN when offered, HTTP/1.1 otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use openai_invites::{Client, ErrorKind, ListInvites};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const PAGE: &str = r#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#;

struct TlsServer {
    port: u16,
    versions: Arc<Mutex<Vec<http::Version>>>,
    certificate: CertificateDer<'static>,
}

async fn start(alpn: &[&[u8]]) -> TlsServer {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let certificate = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certificate.clone()], key)
    .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let versions = Arc::new(Mutex::new(Vec::new()));
    let seen = versions.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(move |request: http::Request<Incoming>| {
                        seen.lock().unwrap().push(request.version());
                        async move {
                            Ok::<_, std::convert::Infallible>(
                                http::Response::builder()
                                    .header("content-type", "application/json")
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
    TlsServer {
        port,
        versions,
        certificate,
    }
}

fn client(server: &TlsServer) -> Client {
    Client::builder()
        .admin_key("sk-admin-test")
        .base_url(&format!("https://localhost:{}/v1", server.port))
        .tls_built_in_roots(false)
        .add_root_certificate_der(server.certificate.to_vec())
        .build()
        .unwrap()
}

#[tokio::test]
async fn http2_is_negotiated_when_offered() {
    let server = start(&[b"h2", b"http/1.1"]).await;
    let client = client(&server);
    client.list_invites(ListInvites::new()).await.unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(
        *server.versions.lock().unwrap(),
        [http::Version::HTTP_2, http::Version::HTTP_2]
    );
}

#[tokio::test]
async fn http1_works_when_h2_is_not_offered() {
    let server = start(&[b"http/1.1"]).await;
    client(&server)
        .list_invites(ListInvites::new())
        .await
        .unwrap();
    assert_eq!(*server.versions.lock().unwrap(), [http::Version::HTTP_11]);
}

#[tokio::test]
async fn an_untrusted_certificate_fails_before_sending() {
    let server = start(&[b"h2", b"http/1.1"]).await;
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .base_url(&format!("https://localhost:{}/v1", server.port))
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.is_not_sent());
    assert!(server.versions.lock().unwrap().is_empty());
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .base_url(&format!("http://127.0.0.1:{port}/v1"))
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.is_connect());
}
