//! `RecordLayer`: wraps a real transport and keeps each exchange on a [`Cassette`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;

use super::Cassette;
use super::scrub::{Credentials, DEFAULT_ALLOWED_HEADERS};
use super::tape::{Cleaner, Exchange};

/// A tower layer that records every exchange through the service it wraps.
///
/// What is kept: method, path, query, the allowlisted headers ([`allow_header`](Self::allow_header)
/// adds to the default list: `content-type`, `accept`, `x-request-id`, `openai-processing-ms`,
/// the retry and rate-limit headers, `x-stainless-retry-count`, `allow`), the body (as JSON
/// when it is), the status, or the transport's error message. `Authorization`,
/// `Proxy-Authorization`, `OpenAI-Organization`, `OpenAI-Project`, cookies and
/// `x-fake-control-token` are never kept, allowlisted or not, and their values are replaced by
/// `[redacted]` wherever else they appear (a body, a query, an echoed error).
#[derive(Debug, Clone)]
pub struct RecordLayer {
    cassette: Cassette,
    policy: Arc<Policy>,
}

#[derive(Debug, Clone)]
struct Policy {
    allowed: Vec<String>,
    secrets: Vec<String>,
    mask_emails: bool,
}

impl RecordLayer {
    /// Records onto `cassette` (a handle: keep a clone to save or replay it).
    pub fn new(cassette: &Cassette) -> Self {
        Self {
            cassette: cassette.clone(),
            policy: Arc::new(Policy {
                allowed: DEFAULT_ALLOWED_HEADERS.map(str::to_owned).to_vec(),
                secrets: Vec::new(),
                mask_emails: false,
            }),
        }
    }

    fn policy(mut self, change: impl FnOnce(&mut Policy)) -> Self {
        change(Arc::make_mut(&mut self.policy));
        self
    }

    /// Replaces every email address with a stable stand-in (`user-<hash>@example.invalid`);
    /// the cassette says so, and replay masks live requests the same way to match them.
    pub fn mask_emails(self) -> Self {
        self.policy(|p| p.mask_emails = true)
    }

    /// Keeps one more header (credential headers stay out whatever is allowed).
    pub fn allow_header(self, name: &str) -> Self {
        let name = name.to_ascii_lowercase();
        self.policy(|p| p.allowed.push(name))
    }

    /// A secret to scrub that no credential header carries (e.g. a key in a custom header).
    pub fn secret(self, secret: impl Into<String>) -> Self {
        let secret = secret.into();
        self.policy(|p| p.secrets.push(secret))
    }
}

impl<S> tower_layer::Layer<S> for RecordLayer {
    type Service = Recorder<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Recorder {
            inner,
            cassette: self.cassette.clone(),
            policy: self.policy.clone(),
        }
    }
}

/// The service [`RecordLayer`] makes: answers as the wrapped service does, and records.
#[derive(Clone)]
pub struct Recorder<S> {
    inner: S,
    cassette: Cassette,
    policy: Arc<Policy>,
}

impl<S> fmt::Debug for Recorder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("cassette", &self.cassette)
            .finish_non_exhaustive()
    }
}

impl<S> tower_service::Service<http::Request<Bytes>> for Recorder<S>
where
    S: tower_service::Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: fmt::Display,
    S::Future: Send + 'static,
{
    type Response = http::Response<Bytes>;
    type Error = S::Error;
    type Future = RecordFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let cleaner = Cleaner {
            credentials: Credentials::of(request.headers(), &self.policy.secrets),
            mask_emails: self.policy.mask_emails,
            allowed: self.policy.allowed.clone(),
        };
        let sent = cleaner.sent(&request);
        let answering = self.inner.call(request);
        let cassette = self.cassette.clone();
        RecordFuture {
            inner: Box::pin(async move {
                let result = answering.await;
                let (response, error) = match &result {
                    Ok(response) => (Some(cleaner.answer(response)), None),
                    Err(e) => (None, Some(cleaner.text(&e.to_string()))),
                };
                let exchange = Exchange {
                    request: sent,
                    response,
                    error,
                };
                cassette.push(exchange, cleaner.mask_emails);
                result
            }),
        }
    }
}

/// The future of a [`Recorder`]'s answer.
pub struct RecordFuture<E> {
    inner: Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, E>> + Send>>,
}

impl<E> Future for RecordFuture<E> {
    type Output = Result<http::Response<Bytes>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<E> fmt::Debug for RecordFuture<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordFuture").finish_non_exhaustive()
    }
}
