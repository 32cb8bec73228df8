//! The whole client stack in process (no sockets) against its floor: the same canned
//! transport called directly, plus encode and decode. Once with no tracing subscriber, once
//! with a subscriber at INFO writing to a sink.
//!
//! With `--features metrics` (the client's `metrics` feature) the same rows measure the
//! feature on with no meter provider installed (the global no-op), and one more row records
//! into an OpenTelemetry SDK provider (aggregation in memory, no exporter).
//!
//! ```sh
//! cargo bench -p openai-invites-benches --bench stack
//! cargo bench -p openai-invites-benches --bench stack --features metrics
//! ```

mod common;

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::num::NonZeroU32;
use std::task::{Context, Poll};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use openai_invites::{BaseUrl, Client, Operation, Quota, RetrieveInvite};
use tower::Service;

/// Answers every request with the same retrieve body, synchronously.
#[derive(Clone)]
struct Canned(Bytes);

impl Service<http::Request<Bytes>> for Canned {
    type Response = http::Response<Bytes>;
    type Error = Infallible;
    type Future = Ready<Result<http::Response<Bytes>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: http::Request<Bytes>) -> Self::Future {
        ready(Ok(common::ok_response(&self.0)))
    }
}

fn client(canned: Canned) -> Client {
    Client::builder()
        .admin_key("sk-admin-bench")
        .transport(canned)
        // The limiter runs, but with a quota no benchmark reaches.
        .rate_limit(Quota::per_second(NonZeroU32::MAX))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}

fn bench(c: &mut Criterion, group_name: &str) {
    let rt = runtime();
    let canned = Canned(common::invite_body());
    let client = client(canned.clone());
    let base = BaseUrl::default();
    let mut group = c.benchmark_group(group_name);
    group.bench_function("floor: encode + canned transport + decode", |b| {
        b.to_async(&rt).iter(|| {
            let mut transport = canned.clone();
            let base = &base;
            async move {
                let request = RetrieveInvite::new("invite-abc").encode(base).ok()?;
                let response = transport.call(request).await.ok()?;
                RetrieveInvite::decode(response).ok()
            }
        })
    });
    group.bench_function("client: full stack", |b| {
        b.to_async(&rt)
            .iter(|| async { client.retrieve_invite("invite-abc").await.ok() })
    });
    #[cfg(feature = "metrics")]
    {
        // An SDK provider whose periodic reader (every 60 s) does not export during the
        // measurement: the cost of recording and aggregating.
        let exporter = opentelemetry_sdk::metrics::InMemoryMetricExporter::default();
        let reader = opentelemetry_sdk::metrics::PeriodicReader::builder(exporter).build();
        let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(reader)
            .build();
        let measured = Client::builder()
            .admin_key("sk-admin-bench")
            .transport(canned.clone())
            .rate_limit(Quota::per_second(NonZeroU32::MAX))
            .meter_provider(provider)
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        group.bench_function("client: full stack, SDK meter provider", |b| {
            b.to_async(&rt)
                .iter(|| async { measured.retrieve_invite("invite-abc").await.ok() })
        });
    }
    group.finish();
}

fn no_subscriber(c: &mut Criterion) {
    bench(c, "stack/no-subscriber");
}

fn info_subscriber(c: &mut Criterion) {
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::sink)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    bench(c, "stack/info-subscriber");
}

criterion_group!(benches, no_subscriber, info_subscriber);
criterion_main!(benches);
