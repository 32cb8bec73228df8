//! Adding your own tower layers in the client's two slots.
//!
//! - a per-call layer (runs once per call, before authentication): times each call;
//! - a per-attempt layer (runs on every attempt, after authentication): adds a header and
//!   counts attempts.
//!
//! ```sh
//! cargo run --example custom_layer
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use futures_util::FutureExt;
use openai_invites::{Client, HttpService, InviteRequest, InviteRole, ListInvites};
use openai_invites_mock::FakeInvites;
use tower::{Layer, ServiceExt};

/// Counts attempts and tags each one with `x-attempt-tag`: a `Layer` + `Service` pair, the
/// same shape as the client's own middleware.
#[derive(Clone, Default)]
struct AttemptCounter {
    attempts: Arc<AtomicU64>,
}

impl<S> Layer<S> for AttemptCounter {
    type Service = CountAttempts<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CountAttempts {
            inner,
            attempts: self.attempts.clone(),
        }
    }
}

#[derive(Clone)]
struct CountAttempts<S> {
    inner: S,
    attempts: Arc<AtomicU64>,
}

impl<S> tower::Service<http::Request<Bytes>> for CountAttempts<S>
where
    S: tower::Service<http::Request<Bytes>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Bytes>) -> Self::Future {
        let n = self.attempts.fetch_add(1, Ordering::Relaxed) + 1;
        // The auth layer already ran: the key is set (and hidden from Debug).
        assert!(request.headers().contains_key("authorization"));
        if let Ok(value) = format!("attempt-{n}").parse() {
            request.headers_mut().insert("x-attempt-tag", value);
        }
        self.inner.call(request)
    }
}

/// Prints how long each call took.
fn call_timer(inner: HttpService) -> HttpService {
    HttpService::new(tower::service_fn(move |request: http::Request<Bytes>| {
        let inner = inner.clone();
        let what = format!("{} {}", request.method(), request.uri().path());
        let started = Instant::now();
        inner.oneshot(request).map(move |result| {
            println!("  [timer] {what} took {:?}", started.elapsed());
            result
        })
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeInvites::new();
    let counter = AttemptCounter::default();
    let client = Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        .layer_per_call(tower::layer::layer_fn(call_timer))
        .layer_per_attempt(counter.clone())
        .build()?;

    client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await?;
    client.list_invites(ListInvites::new()).await?;

    println!(
        "attempts counted: {}",
        counter.attempts.load(Ordering::Relaxed)
    );
    for request in fake.requests() {
        println!(
            "the fake saw {} {} with x-attempt-tag = {:?}",
            request.method,
            request.path,
            request.header("x-attempt-tag")
        );
    }
    Ok(())
}
