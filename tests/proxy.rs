//! Proxies, on loopback only: HTTPS through a CONNECT tunnel to a host only the proxy can
//! resolve, HTTP in absolute form, credentials for the proxy only, `NO_PROXY`, loopback never
//! proxied from the environment, and a 407 or a refused CONNECT as typed errors with nothing
//! sent to the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use openai_invites::{BuildError, Client, ClientBuilder, ErrorKind, ListInvites};
use openai_invites_mock::FakeServer;
use support::proxy::{ProxyOptions, TestProxy};
use support::tls_server::{TlsOptions, TlsServer};

/// The API's name: nothing but the proxy resolves it, so the client must tunnel.
const HOST: &str = "invites.test";

/// `Basic base64("ana:s3cr3t-pa55")`.
const ANA: &str = "Basic YW5hOnMzY3IzdC1wYTU1";

/// A TLS server for `invites.test` and a proxy that maps `invites.test:443` to it.
async fn tunnel_setup(mut options: ProxyOptions) -> (TlsServer, TestProxy) {
    let server = TlsServer::start(TlsOptions::for_name(HOST)).await;
    let upstream = format!("127.0.0.1:{}", server.port).parse().unwrap();
    options.hosts = HashMap::from([(format!("{HOST}:443"), upstream)]);
    (server, TestProxy::start(options).await)
}

/// A client of `https://invites.test/v1` trusting the server's certificate (as PEM), with
/// quick retries and no network variable unless given.
fn tunnel_client(server: &TlsServer) -> ClientBuilder {
    Client::builder()
        .admin_key("sk-admin-proxy-test-0123456789")
        .base_url(&format!("https://{HOST}/v1"))
        .tls_built_in_roots(false)
        .add_root_certificates_pem(server.pem.clone())
        .network_env_with(support::no_env)
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(1))
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_http2_inside() {
    let (server, proxy) = tunnel_setup(ProxyOptions::default()).await;
    let client = tunnel_client(&server).proxy(&proxy.url()).build().unwrap();
    assert_eq!(client.proxy(), Some(proxy.url().as_str()));
    client.list_invites(ListInvites::new()).await.unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let log = proxy.log();
    assert_eq!(log.lines, [format!("CONNECT {HOST}:443 HTTP/1.1")]);
    assert_eq!((log.tunnels, log.forwarded), (1, 0));
    assert!(
        proxy.relayed() > 1000,
        "the TLS session went through the proxy"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.version == http::Version::HTTP_2));
}

#[tokio::test]
async fn the_proxy_variables_are_read_in_either_case() {
    let (server, proxy) = tunnel_setup(ProxyOptions::default()).await;
    let url = proxy.url();
    let url = url.as_str();
    for name in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        let client = tunnel_client(&server)
            .network_env_with(support::env_of(&[(name, url)]))
            .build()
            .unwrap();
        assert_eq!(client.proxy(), Some(url), "{name}");
        client.list_invites(ListInvites::new()).await.unwrap();
    }
    assert_eq!(proxy.log().tunnels, 4);
    // Lowercase wins, as in curl.
    let client = tunnel_client(&server)
        .network_env_with(support::env_of(&[
            ("HTTPS_PROXY", "http://127.0.0.1:9"),
            ("https_proxy", url),
        ]))
        .build()
        .unwrap();
    assert_eq!(client.proxy(), Some(url));
    // `from_env_with` reads them too, once, with the admin variables.
    let env = support::env_of(&[("OPENAI_ADMIN_KEY", "sk-admin-x"), ("HTTPS_PROXY", url)]);
    let client = Client::builder().from_env_with(env).build().unwrap();
    assert_eq!(client.proxy(), Some(url));
    // `no_proxy()` ignores them.
    let client = tunnel_client(&server)
        .network_env_with(support::env_of(&[("HTTPS_PROXY", url)]))
        .no_proxy()
        .build()
        .unwrap();
    assert_eq!(client.proxy(), None);
}

#[tokio::test]
async fn credentials_go_to_the_proxy_only_and_are_never_printed() {
    let (server, proxy) = tunnel_setup(ProxyOptions {
        require: Some(ANA.to_owned()),
        ..ProxyOptions::default()
    })
    .await;
    let url = proxy.url_with("ana:s3cr3t-pa55");
    let builder = tunnel_client(&server).proxy(&url);
    let client = builder.build().unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(proxy.log().authorizations, [Some(ANA.to_owned())]);
    // Inside the tunnel, the API never sees the proxy's header.
    assert!(
        server.seen()[0]
            .headers
            .get("proxy-authorization")
            .is_none()
    );
    let redacted = format!("http://[redacted]@{}", proxy.addr);
    assert_eq!(client.proxy(), Some(redacted.as_str()));
    let builder = tunnel_client(&server).proxy(&url);
    for text in [format!("{builder:?}"), format!("{client:?}")] {
        assert!(
            !text.contains("s3cr3t") && !text.contains("YW5hOnMz"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_407_is_a_proxy_error_tried_once_with_nothing_sent() {
    let (server, proxy) = tunnel_setup(ProxyOptions {
        require: Some(ANA.to_owned()),
        ..ProxyOptions::default()
    })
    .await;
    let client = tunnel_client(&server).proxy(&proxy.url()).build().unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    assert_eq!(err.attempts(), 1, "a 407 is not retried: {err}");
    assert!(err.is_not_sent() && !err.is_retryable() && !err.is_outcome_unknown());
    let text = err.to_string();
    assert!(
        text.contains("407") && text.contains(&proxy.url()),
        "{text}"
    );
    assert_eq!(proxy.log().lines.len(), 1);
    assert_eq!((server.accepted(), server.seen().len()), (0, 0));
}

#[tokio::test]
async fn a_refused_connect_is_a_proxy_error_retried_with_nothing_sent() {
    let (server, proxy) = tunnel_setup(ProxyOptions {
        refuse: true,
        ..ProxyOptions::default()
    })
    .await;
    let client = tunnel_client(&server).proxy(&proxy.url()).build().unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    assert!(err.is_not_sent() && err.is_retryable());
    assert_eq!(err.attempts(), 3, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("refused to open a tunnel to invites.test:443"),
        "{text}"
    );
    assert_eq!(proxy.log().lines.len(), 3);
    assert_eq!(server.accepted(), 0);
}

#[tokio::test]
async fn loopback_is_never_proxied_from_the_environment() {
    let proxy = TestProxy::start(ProxyOptions::default()).await;
    let url = proxy.url();
    let all: Vec<(&str, &str)> = [
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "https_proxy",
        "http_proxy",
        "all_proxy",
    ]
    .into_iter()
    .map(|name| (name, url.as_str()))
    .collect();
    let fake = FakeServer::start().await.unwrap();
    let client = support::loopback_builder(&fake)
        .network_env_with(support::env_of(&all))
        .build()
        .unwrap();
    assert_eq!(client.proxy(), None);
    client.list_invites(ListInvites::new()).await.unwrap();
    let tls = TlsServer::start(TlsOptions::for_name("localhost")).await;
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .base_url(&format!("https://localhost:{}/v1", tls.port))
        .tls_built_in_roots(false)
        .add_root_certificates_pem(tls.pem.clone())
        .network_env_with(support::env_of(&all))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(fake.fake().request_count(), 1);
    assert_eq!(tls.seen().len(), 1);
    assert!(proxy.log().lines.is_empty());
}

#[tokio::test]
async fn an_explicit_proxy_takes_plain_http_in_absolute_form_even_to_loopback() {
    let fake = FakeServer::start().await.unwrap();
    let proxy = TestProxy::start(ProxyOptions {
        require: Some(ANA.to_owned()),
        ..ProxyOptions::default()
    })
    .await;
    let client = support::loopback_builder(&fake)
        .proxy(&proxy.url_with("ana:s3cr3t-pa55"))
        .build()
        .unwrap();
    client
        .list_invites(ListInvites::new().limit(2))
        .await
        .unwrap();
    let log = proxy.log();
    let expected = format!(
        "GET {}/organization/invites?limit=2 HTTP/1.1",
        fake.base_url()
    );
    assert_eq!(log.lines, [expected]);
    assert_eq!(log.authorizations, [Some(ANA.to_owned())]);
    assert_eq!(log.forwarded, 1);
    assert_eq!(fake.fake().request_count(), 1);
}

#[tokio::test]
async fn no_proxy_sends_matching_hosts_directly() {
    // `[::ffff:127.0.0.1]` reaches the loopback fake, but is not one of the loopback names
    // the client exempts on its own: whether it is proxied is up to the variables.
    let fake = FakeServer::start().await.unwrap();
    let base = format!("http://[::ffff:127.0.0.1]:{}/v1", fake.addr().port());
    let proxy = TestProxy::start(ProxyOptions::default()).await;
    let url = proxy.url();
    let url = url.as_str();
    let client = |vars: &[(&str, &str)]| {
        Client::builder()
            .admin_key(fake.admin_key())
            .base_url(&base)
            .allow_insecure_http(true)
            .network_env_with(support::env_of(vars))
            .build()
            .unwrap()
    };
    for no_proxy in ["::ffff:127.0.0.1", "::ffff:127.0.0.0/104", "*"] {
        let direct = client(&[("HTTP_PROXY", url), ("NO_PROXY", no_proxy)]);
        assert_eq!(direct.proxy(), None, "{no_proxy}");
        direct.list_invites(ListInvites::new()).await.unwrap();
    }
    assert_eq!(proxy.log().forwarded, 0);
    let proxied = client(&[("http_proxy", url), ("no_proxy", "example.com")]);
    proxied.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(proxy.log().forwarded, 1);
    assert_eq!(fake.fake().request_count(), 4);
}

#[test]
fn an_unusable_proxy_variable_fails_the_build_and_names_it() {
    let env = support::env_of(&[("all_proxy", "socks5://ana:s3cr3t@proxy:1080")]);
    let err = Client::builder()
        .admin_key("sk-admin-test")
        .network_env_with(env)
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::Proxy { .. }), "{err}");
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("all_proxy") && text.contains("SOCKS") && !text.contains("s3cr3t"),
        "{text}"
    );
}

#[tokio::test]
async fn a_proxy_that_is_down_is_a_connect_error_that_names_it() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let server = TlsServer::start(TlsOptions::for_name(HOST)).await;
    let client = tunnel_client(&server).proxy(&down).build().unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.is_retryable() && err.is_not_sent());
    assert_eq!(err.attempts(), 3, "{err}");
    let text = err.to_string();
    let expected = format!("could not connect to {HOST}:443 through the proxy {down}");
    assert!(text.contains(&expected), "{text}");
}
