//! HTTPS against loopback servers with rcgen certificates: HTTP/2 by ALPN, trust from DER, PEM
//! or `SSL_CERT_FILE`; certificate errors fail after one attempt and say why, while refused
//! connections and DNS failures are retried and name what they could not reach.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use openai_invites::{BuildError, Client, ClientBuilder, ErrorKind, ListInvites};
use support::tls_server::{TlsOptions, TlsServer};
use tokio::net::TcpListener;

/// A builder for `https://localhost:port`, ignoring the machine's network variables, with
/// quick retries.
fn builder(port: u16) -> ClientBuilder {
    Client::builder()
        .admin_key("sk-admin-test")
        .base_url(&format!("https://localhost:{port}/v1"))
        .network_env_with(support::no_env)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(1))
}

fn trusting(server: &TlsServer) -> Client {
    builder(server.port)
        .tls_built_in_roots(false)
        .add_root_certificate_der(server.certificate.to_vec())
        .build()
        .unwrap()
}

#[tokio::test]
async fn http2_is_negotiated_when_offered() {
    let server = TlsServer::start(TlsOptions::for_name("localhost")).await;
    let client = trusting(&server);
    client.list_invites(ListInvites::new()).await.unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let versions: Vec<_> = server.seen().iter().map(|s| s.version).collect();
    assert_eq!(versions, [http::Version::HTTP_2, http::Version::HTTP_2]);
    assert_eq!(server.accepted(), 1, "one connection, multiplexed");
}

#[tokio::test]
async fn http1_works_when_h2_is_not_offered() {
    let mut options = TlsOptions::for_name("localhost");
    options.alpn = vec![b"http/1.1".to_vec()];
    let server = TlsServer::start(options).await;
    trusting(&server)
        .list_invites(ListInvites::new())
        .await
        .unwrap();
    assert_eq!(server.seen()[0].version, http::Version::HTTP_11);
}

#[tokio::test]
async fn a_pem_bundle_is_trusted() {
    let server = TlsServer::start(TlsOptions::for_name("localhost")).await;
    let bundle = format!("# the test CA\n{}", server.pem);
    let client = builder(server.port)
        .tls_built_in_roots(false)
        .add_root_certificates_pem(bundle)
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn ssl_cert_file_is_trusted_instead_of_the_built_in_roots() {
    let server = TlsServer::start(TlsOptions::for_name("localhost")).await;
    let file = std::env::temp_dir().join(format!("openai-invites-tls-{}.pem", server.port));
    std::fs::write(&file, &server.pem).unwrap();
    let path = file.display().to_string();
    let client = builder(server.port)
        .network_env_with(support::env_of(&[("SSL_CERT_FILE", &path)]))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    std::fs::remove_file(&file).unwrap();

    // A file that is gone is a build error naming it.
    let err = builder(server.port)
        .network_env_with(support::env_of(&[("SSL_CERT_FILE", &path)]))
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::RootCertificates { .. }), "{err}");
    assert!(err.to_string().contains(&path), "{err}");
}

/// A certificate error: one attempt (retries are on), nothing served, one handshake, and an
/// error that names the host and port and why.
async fn rejected(server: &TlsServer, client: &Client, why: &str) {
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Certificate, "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(
        err.is_not_sent() && err.is_connect() && !err.is_retryable() && !err.is_outcome_unknown()
    );
    let text = err.to_string();
    let target = format!("localhost:{}", server.port);
    assert!(text.contains(&target) && text.contains(why), "{text}");
    assert!(
        text.contains("not retried: a certificate does not change"),
        "{text}"
    );
    assert!(server.seen().is_empty());
    assert_eq!(server.accepted(), 1, "a single handshake");
}

#[tokio::test]
async fn an_unknown_issuer_fails_once_and_says_so() {
    let server = TlsServer::start(TlsOptions::for_name("localhost")).await;
    let client = builder(server.port).build().unwrap();
    rejected(&server, &client, "unknown issuer").await;
}

#[tokio::test]
async fn a_certificate_for_another_name_fails_once_and_says_so() {
    let server = TlsServer::start(TlsOptions::for_name("invites.test")).await;
    rejected(&server, &trusting(&server), "not valid for this host name").await;
}

#[tokio::test]
async fn an_expired_certificate_fails_once_and_says_so() {
    let mut options = TlsOptions::for_name("localhost");
    options.expired = true;
    let server = TlsServer::start(options).await;
    rejected(&server, &trusting(&server), "expired").await;
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_names_host_and_port() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .base_url(&format!("http://127.0.0.1:{port}/v1"))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(1))
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.is_connect() && err.is_retryable());
    assert_eq!(err.attempts(), 3, "{err}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn a_dns_failure_is_retried_and_names_the_host() {
    // A 64-character label: the system resolver refuses the name without sending a query
    // (labels are at most 63), so this never leaves the machine. Plain http, because rustls
    // would refuse the name before any lookup; nothing is ever connected.
    let host = format!("{}.test", "a".repeat(64));
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .base_url(&format!("http://{host}/v1"))
        .allow_insecure_http(true)
        .network_env_with(support::no_env)
        .no_proxy()
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(1))
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert_eq!(err.attempts(), 3, "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "could not resolve `{host}` (connecting to {host}:80)"
        )),
        "{text}"
    );
}
