//! `HyperTransport`: hyper-util's pooled client over hyper-rustls.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::{RootCertificates, TransportFuture};
use crate::{BoxError, BuildError};
use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// Settings of the default transport.
#[derive(Clone)]
pub struct TransportConfig {
    /// TCP connect timeout (default 5 s).
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept (default 90 s).
    pub pool_idle_timeout: Duration,
    /// Idle connections kept per host (default: no cap, as hyper-util; idle ones close after
    /// `pool_idle_timeout`, so a burst of hundreds of calls reuses its connections).
    pub pool_max_idle_per_host: usize,
    /// The largest response body read, in bytes (default 8 MiB).
    pub max_response_bytes: usize,
    pub(crate) roots: RootCertificates,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: usize::MAX,
            max_response_bytes: 8 * 1024 * 1024,
            roots: RootCertificates::default(),
        }
    }
}

/// The default transport: HTTP/1.1 and HTTP/2 (by ALPN) over rustls with the `ring` provider,
/// connection pooling, `TCP_NODELAY`, and a response-size cap.
///
/// Built for one scheme: an `https` client never sends in clear text, and a plain `http`
/// client (loopback, or explicitly allowed) skips the TLS connector's per-request wrapper,
/// which measurably costs throughput on fast links (see BENCHMARKS.md).
///
/// Cheap to clone (one reference count): clones share the connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    // Behind an `Arc`: the stack is cloned per call, and hyper-util's client clone copies its
    // HTTP/1 and HTTP/2 settings and bumps several reference counts.
    client: Arc<Pooled>,
    max_response_bytes: usize,
}

enum Pooled {
    Tls(PooledClient<HttpsConnector<HttpConnector>, Full<Bytes>>),
    Plain(PooledClient<HttpConnector, Full<Bytes>>),
}

impl HyperTransport {
    /// Builds a transport for `https` URLs; fails only on an unusable TLS configuration.
    pub fn new(config: &TransportConfig) -> Result<Self, BuildError> {
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(config.roots.client_config()?)
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http_connector(config));
        Ok(Self::from_pooled(
            Pooled::Tls(pooled(config).build(connector)),
            config,
        ))
    }

    /// Builds a transport for plain `http` URLs (no TLS at all).
    pub fn plain(config: &TransportConfig) -> Self {
        Self::from_pooled(
            Pooled::Plain(pooled(config).build(http_connector(config))),
            config,
        )
    }

    fn from_pooled(client: Pooled, config: &TransportConfig) -> Self {
        Self {
            client: Arc::new(client),
            max_response_bytes: config.max_response_bytes,
        }
    }
}

fn http_connector(config: &TransportConfig) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(config.connect_timeout));
    http
}

fn pooled(config: &TransportConfig) -> hyper_util::client::legacy::Builder {
    let mut builder = PooledClient::builder(TokioExecutor::new());
    builder
        .pool_idle_timeout(config.pool_idle_timeout)
        .pool_max_idle_per_host(config.pool_max_idle_per_host)
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new());
    builder
}

impl tower_service::Service<http::Request<Bytes>> for HyperTransport {
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = TransportFuture;

    #[inline]
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The pooled client queues internally; it is always ready.
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        // `request` returns a 'static future (hyper-util clones what it needs), so the client
        // itself is not cloned per call: its clone copies the HTTP/1 and HTTP/2 settings.
        let request = request.map(Full::new);
        let pending = match &*self.client {
            Pooled::Tls(client) => client.request(request),
            Pooled::Plain(client) => client.request(request),
        };
        TransportFuture::new(pending, self.max_response_bytes)
    }
}
