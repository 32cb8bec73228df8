//! Adding your own tower layers in the client's two slots.
//!
//! - a per-call layer (runs once per call, before authentication): times each call;
//! - a per-attempt layer (runs on every attempt, after authentication): adds a header and
//!   counts attempts;
//! - an off-the-shelf tower-http layer (`SetRequestHeaderLayer`), as it comes.
//!
//! Your layers see requests with an in-memory `openai_invites::slot::Body`; write them generic
//! over the body, as tower middleware usually is, or on `http::Request<Body>`.
//!
//! ```sh
//! cargo run --example custom_layer
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::FutureExt;
use openai_invites::http::{HeaderName, HeaderValue};
use openai_invites::slot::{Body, Inner, SlotService};
use openai_invites::{Client, InviteRequest, InviteRole, ListInvites};
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

impl<S, B> tower::Service<http::Request<B>> for CountAttempts<S>
where
    S: tower::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
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
fn call_timer(inner: Inner) -> impl SlotService {
    tower::service_fn(move |request: http::Request<Body>| {
        let inner = inner.clone();
        let what = format!("{} {}", request.method(), request.uri().path());
        let started = Instant::now();
        inner.oneshot(request).map(move |result| {
            println!("  [timer] {what} took {:?}", started.elapsed());
            result
        })
    })
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
        .layer_per_attempt(
            tower_http::set_header::SetRequestHeaderLayer::if_not_present(
                HeaderName::from_static("x-team"),
                HeaderValue::from_static("onboarding"),
            ),
        )
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
            "the fake saw {} {} with x-attempt-tag = {:?}, x-team = {:?}",
            request.method,
            request.path,
            request.header("x-attempt-tag"),
            request.header("x-team"),
        );
    }
    Ok(())
}
