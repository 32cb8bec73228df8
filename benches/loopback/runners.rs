//! The clients under test, each doing the same typed work: encode with the core crate, send,
//! collect the body, decode.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use openai_invites::transport::{HyperTransport, TransportConfig};
use openai_invites::{BaseUrl, Client, ClientBuilder, Operation, Quota};

use crate::common::calls::{ADMIN_KEY, Identity, bare_call, reqwest_call};
use crate::common::rounds::Calls;
use crate::sketch::Sketch;

/// The client's default attempt timeout, used by the floor and the sketch.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub enum Runner {
    /// hyper-util's legacy client, with the auth headers: the baseline.
    Bare(
        Arc<PooledClient<HttpConnector, Full<Bytes>>>,
        BaseUrl,
        Arc<Identity>,
    ),
    /// The client (the default stack unless built otherwise).
    Client(Client),
    /// The floor of any client with this design's guarantees, whatever its structure: the
    /// auth headers and one timeout around the client's own transport (with its body cap).
    /// No retry, no rate limiter, no spans, no call context.
    Floor(HyperTransport, BaseUrl, Arc<Identity>),
    /// The floor plus the per-call work of the default stack that no structure avoids.
    Sketch(Arc<Sketch>, BaseUrl),
    /// Plain reqwest (no TLS features), for scale.
    Reqwest(reqwest::Client, BaseUrl, Arc<Identity>),
}

impl Runner {
    pub fn bare(base: &BaseUrl) -> Self {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        // hyper-util's pool defaults: idle connections kept 90 s, no cap on how many.
        let client = PooledClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(http);
        Self::Bare(Arc::new(client), base.clone(), Arc::new(Identity::new()))
    }

    /// The client as users get it: the default stack, whose rate limiter runs on every
    /// attempt, here with a quota this benchmark never reaches.
    pub fn client(base: &BaseUrl) -> Self {
        Self::built(client_builder(base).rate_limit(Quota::per_second(NonZeroU32::MAX)))
    }

    /// A client from `builder` (for the `SOLO` variants).
    pub fn built(builder: ClientBuilder) -> Self {
        Self::Client(builder.build().unwrap_or_else(|e| panic!("client: {e}")))
    }

    pub fn floor(base: &BaseUrl) -> Self {
        Self::Floor(transport(), base.clone(), Arc::new(Identity::new()))
    }

    pub fn sketch(base: &BaseUrl) -> Self {
        Self::Sketch(
            Arc::new(Sketch::new(transport(), Identity::new())),
            base.clone(),
        )
    }

    pub fn reqwest(base: &BaseUrl) -> Self {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .build()
            .unwrap_or_else(|e| panic!("reqwest: {e}"));
        Self::Reqwest(client, base.clone(), Arc::new(Identity::new()))
    }
}

/// The builder every client runner starts from: the key and the server; every other setting
/// is the client's default.
pub fn client_builder(base: &BaseUrl) -> ClientBuilder {
    Client::builder()
        .admin_key(ADMIN_KEY)
        .base_url(base.as_str())
}

/// The client's own transport over plain TCP, with its default settings.
fn transport() -> HyperTransport {
    HyperTransport::plain(&TransportConfig::default())
}

async fn floor_call<O: Operation>(
    transport: &HyperTransport,
    op: O,
    base: &BaseUrl,
    identity: &Identity,
) -> bool {
    use tower::ServiceExt;
    let Some(request) = identity.request(op, base) else {
        return false;
    };
    let call = transport.clone().oneshot(request);
    let Ok(Ok(response)) = tokio::time::timeout(ATTEMPT_TIMEOUT, call).await else {
        return false;
    };
    O::decode(response).is_ok()
}

impl Calls for Runner {
    async fn send<O: Operation + Send>(&self, op: O) -> bool {
        match self {
            Self::Bare(c, base, id) => bare_call(c, op, base, id).await,
            Self::Client(c) => c.send(op).await.is_ok(),
            Self::Floor(t, base, id) => floor_call(t, op, base, id).await,
            Self::Sketch(sketch, base) => sketch.call(op, base).await,
            Self::Reqwest(c, base, id) => reqwest_call(c, op, base, id).await,
        }
    }
}
