//! The calls every benchmark runner but the client makes: the same request the client puts on
//! the wire (the auth layer's two headers), sent with hyper-util or reqwest, collected and
//! decoded with the core crate.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::Connect;
use openai_invites::layer::DEFAULT_USER_AGENT;
use openai_invites::{BaseUrl, Operation};

/// The key every runner sends.
pub const ADMIN_KEY: &str = "sk-admin-bench";

/// One call with a bare hyper-util client (any connector: plain TCP, or hyper-rustls).
pub async fn bare_call<O: Operation, C: Connect + Clone + Send + Sync + 'static>(
    client: &PooledClient<C, Full<Bytes>>,
    op: O,
    base: &BaseUrl,
    identity: &Identity,
) -> bool {
    let Some(request) = identity.request(op, base) else {
        return false;
    };
    let Ok(response) = client.request(request.map(Full::new)).await else {
        return false;
    };
    collect_and_decode::<O, _>(response).await
}

/// The encoded request converted with `reqwest::Request::try_from`, the response converted
/// back to `http::Response`, collected and decoded.
pub async fn reqwest_call<O: Operation>(
    client: &reqwest::Client,
    op: O,
    base: &BaseUrl,
    identity: &Identity,
) -> bool {
    let Some(request) = identity.request(op, base) else {
        return false;
    };
    let Ok(request) = reqwest::Request::try_from(request) else {
        return false;
    };
    let Ok(response) = client.execute(request).await else {
        return false;
    };
    collect_and_decode::<O, _>(http::Response::from(response)).await
}

/// The tail of the bare and reqwest calls: collect the streamed body, then decode.
async fn collect_and_decode<O: Operation, B: hyper::body::Body>(
    response: http::Response<B>,
) -> bool {
    let (parts, body) = response.into_parts();
    let Ok(body) = body.collect().await else {
        return false;
    };
    O::decode(http::Response::from_parts(parts, body.to_bytes())).is_ok()
}

/// The headers the client's auth layer sends, so that every runner puts the same request on
/// the wire (a real client of this API must authenticate). Built once, cloned per request, as
/// the auth layer does.
pub struct Identity {
    authorization: http::HeaderValue,
    user_agent: http::HeaderValue,
}

impl Identity {
    pub fn new() -> Self {
        let mut authorization = http::HeaderValue::try_from(format!("Bearer {ADMIN_KEY}"))
            .unwrap_or_else(|e| panic!("{e}"));
        authorization.set_sensitive(true);
        Self {
            authorization,
            user_agent: http::HeaderValue::from_static(DEFAULT_USER_AGENT),
        }
    }

    /// `op` encoded, with these headers: the request every runner but the client sends.
    pub fn request<O: Operation>(&self, op: O, base: &BaseUrl) -> Option<http::Request<Bytes>> {
        let mut request = op.encode(base).ok()?;
        self.apply(&mut request);
        Some(request)
    }

    pub fn apply<B>(&self, request: &mut http::Request<B>) {
        let headers = request.headers_mut();
        headers.insert(http::header::AUTHORIZATION, self.authorization.clone());
        headers.insert(http::header::USER_AGENT, self.user_agent.clone());
    }
}
