//! `HyperTransport`: hyper-util's pooled client over hyper-rustls, directly or through a proxy.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::forward::Forward;
use super::proxy::Proxy;
use super::{RootCertificates, TransportFuture, tls};
use crate::environment::NetworkEnv;
use crate::{BoxError, BuildError, defaults};
use bytes::Bytes;
use http::HeaderValue;
use http::header::PROXY_AUTHORIZATION;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// Settings of the default transport.
#[derive(Clone)]
pub struct TransportConfig {
    /// TCP connect timeout (default [`defaults::CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept (default [`defaults::POOL_IDLE_TIMEOUT`]).
    pub pool_idle_timeout: Duration,
    /// Idle connections kept per host (default: no cap, as hyper-util; idle ones close after
    /// `pool_idle_timeout`, so a burst of hundreds of calls reuses its connections).
    pub pool_max_idle_per_host: usize,
    /// The largest response body read, in bytes (default [`defaults::MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
    pub(crate) roots: RootCertificates,
    /// The variables `SSL_CERT_FILE` / `SSL_CERT_DIR` are read from; the builder fills it in.
    pub(crate) env: NetworkEnv,
    /// The proxy chosen for the base URL; the builder fills it in.
    pub(crate) proxy: Option<Proxy>,
}

impl Default for TransportConfig {
    /// Built-in roots, no proxy (the environment is read by the builder, not here).
    fn default() -> Self {
        Self {
            connect_timeout: defaults::CONNECT_TIMEOUT,
            pool_idle_timeout: defaults::POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: usize::MAX,
            max_response_bytes: defaults::MAX_RESPONSE_BYTES,
            roots: RootCertificates::default(),
            env: NetworkEnv::default(),
            proxy: None,
        }
    }
}

/// The default transport: HTTP/1.1 and HTTP/2 (by ALPN) over rustls (`ring`), pooled, with
/// `TCP_NODELAY` and a response-size cap; through the proxy the builder chose, if any.
///
/// Built for one scheme: an `https` transport never sends in clear text, and a plain `http`
/// one skips the TLS connector's per-request wrapper. Clones share the connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    // Behind an `Arc`: the stack is cloned per call, and hyper-util's client clone copies its
    // HTTP/1 and HTTP/2 settings and bumps several reference counts.
    pub(super) shared: Arc<Shared>,
}

pub(super) struct Shared {
    client: Pooled,
    pub(super) max_response_bytes: usize,
    /// The proxy's printable address, for error messages.
    pub(super) proxy: Option<Arc<str>>,
}

enum Pooled {
    Tls(PooledClient<HttpsConnector<HttpConnector>, Full<Bytes>>),
    Tunnel(PooledClient<HttpsConnector<Tunnel<HttpConnector>>, Full<Bytes>>),
    Plain(PooledClient<HttpConnector, Full<Bytes>>),
    /// Plain HTTP through a proxy, with the `Proxy-Authorization` each request carries.
    Forward(PooledClient<Forward, Full<Bytes>>, Option<HeaderValue>),
}

impl HyperTransport {
    /// Builds a transport for `https` URLs; fails only on an unusable TLS configuration.
    pub fn new(config: &TransportConfig) -> Result<Self, BuildError> {
        let tls = HttpsConnectorBuilder::new()
            .with_tls_config(tls::client_config(&config.roots, &config.env)?)
            .https_only()
            .enable_http1()
            .enable_http2();
        let client = match &config.proxy {
            None => Pooled::Tls(pooled(config).build(tls.wrap_connector(http_connector(config)))),
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri.clone(), http_connector(config));
                if let Some(authorization) = &proxy.authorization {
                    tunnel = tunnel.with_auth(authorization.clone());
                }
                Pooled::Tunnel(pooled(config).build(tls.wrap_connector(tunnel)))
            }
        };
        Ok(Self::from_pooled(client, config))
    }

    /// Builds a transport for plain `http` URLs (no TLS at all).
    pub fn plain(config: &TransportConfig) -> Self {
        let client = match &config.proxy {
            None => Pooled::Plain(pooled(config).build(http_connector(config))),
            Some(proxy) => Pooled::Forward(
                pooled(config).build(Forward::new(http_connector(config), proxy.uri.clone())),
                proxy.authorization.clone(),
            ),
        };
        Self::from_pooled(client, config)
    }

    fn from_pooled(client: Pooled, config: &TransportConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                client,
                max_response_bytes: config.max_response_bytes,
                proxy: config.proxy.as_ref().map(|p| Arc::from(p.label.as_str())),
            }),
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
        let target = super::future::Target::of(request.uri());
        let mut request = request.map(Full::new);
        let pending = match &self.shared.client {
            Pooled::Tls(client) => client.request(request),
            Pooled::Tunnel(client) => client.request(request),
            Pooled::Plain(client) => client.request(request),
            Pooled::Forward(client, authorization) => {
                if let Some(authorization) = authorization {
                    request
                        .headers_mut()
                        .insert(PROXY_AUTHORIZATION, authorization.clone());
                }
                client.request(request)
            }
        };
        // No reference count is taken unless a proxy is in use (for its name in errors).
        let proxy = self.shared.proxy.clone();
        TransportFuture::new(pending, self.shared.max_response_bytes, proxy, target)
    }
}
