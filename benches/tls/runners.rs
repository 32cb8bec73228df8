//! The HTTPS clients under test, each doing the same typed work (encode, send, collect,
//! decode) and putting the same request on the wire, over the same TLS: rustls with the ring
//! provider, the same single trusted root, ALPN `h2` then `http/1.1`.

use std::num::NonZeroU32;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use openai_invites::{BaseUrl, Client, Operation, Quota};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::common::calls::{ADMIN_KEY, Identity, bare_call, reqwest_call};
use crate::common::rounds::Calls;

type Https = PooledClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

#[derive(Clone)]
pub enum Runner {
    /// hyper-util's legacy client over hyper-rustls, with the auth headers: the baseline.
    Bare(Arc<Https>, BaseUrl, Arc<Identity>),
    /// The client with its default stack (its rate limiter runs, with a quota never reached).
    Client(Client),
    /// reqwest with rustls (ring) and HTTP/2, for scale.
    Reqwest(reqwest::Client, BaseUrl, Arc<Identity>),
}

impl Runner {
    /// hyper-util + hyper-rustls as the client's transport configures them.
    pub fn bare(base: &BaseUrl, pem: &str) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let certificate = certificate.unwrap_or_else(|e| panic!("pem: {e}"));
            roots
                .add(certificate)
                .unwrap_or_else(|e| panic!("root: {e}"));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("tls: {e}"))
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = PooledClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Self::Bare(Arc::new(client), base.clone(), Arc::new(Identity::new()))
    }

    /// The client as users get it, trusting the server's certificate from PEM.
    pub fn client(base: &BaseUrl, pem: &str) -> Self {
        let client = Client::builder()
            .admin_key(ADMIN_KEY)
            .base_url(base.as_str())
            .tls_built_in_roots(false)
            .add_root_certificates_pem(pem.as_bytes().to_vec())
            .network_env_with(|_| None)
            .rate_limit(Quota::per_second(NonZeroU32::MAX))
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        Self::Client(client)
    }

    /// reqwest 0.12 with `rustls-tls-manual-roots` (ring) and `http2`.
    pub fn reqwest(base: &BaseUrl, pem: &str) -> Self {
        let certificate = reqwest::Certificate::from_pem(pem.as_bytes())
            .unwrap_or_else(|e| panic!("reqwest certificate: {e}"));
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(certificate)
            .no_proxy()
            .tcp_nodelay(true)
            .build()
            .unwrap_or_else(|e| panic!("reqwest: {e}"));
        Self::Reqwest(client, base.clone(), Arc::new(Identity::new()))
    }
}

impl Calls for Runner {
    async fn send<O: Operation + Send>(&self, op: O) -> bool {
        match self {
            Self::Bare(c, base, id) => bare_call(c, op, base, id).await,
            Self::Client(c) => c.send(op).await.is_ok(),
            Self::Reqwest(c, base, id) => reqwest_call(c, op, base, id).await,
        }
    }
}
