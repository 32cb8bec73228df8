//! Metrics (the `metrics` feature), read back through the OpenTelemetry SDK's in-memory
//! exporter: every instrument with its name, unit and attributes.
#![cfg(feature = "metrics")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

use openai_invites::{
    ErrorKind, InviteRequest, InviteRole, InviteUser, ListInvites, Operation, Quota,
};
use openai_invites_mock::{FakeInvites, Fault, Match};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

/// An SDK provider that exports into memory when flushed.
fn provider() -> (SdkMeterProvider, InMemoryMetricExporter) {
    let exporter = InMemoryMetricExporter::default();
    let reader = PeriodicReader::builder(exporter.clone()).build();
    (
        SdkMeterProvider::builder().with_reader(reader).build(),
        exporter,
    )
}

/// One data point: its attributes, and its value (a sum, or a histogram's count and sum).
#[derive(Debug, Clone)]
struct Point {
    attributes: BTreeMap<String, String>,
    count: u64,
    sum: f64,
    bounds: Vec<f64>,
}

/// Every data point of every metric, by metric name, with the metric's unit.
fn collect(
    provider: &SdkMeterProvider,
    exporter: &InMemoryMetricExporter,
) -> BTreeMap<String, (String, Vec<Point>)> {
    provider.force_flush().unwrap();
    let mut out = BTreeMap::new();
    for resource in exporter.get_finished_metrics().unwrap() {
        for scope in resource.scope_metrics() {
            assert_eq!(scope.scope().name(), "openai-invites");
            for metric in scope.metrics() {
                let attributes = |kvs: &mut dyn Iterator<Item = &opentelemetry::KeyValue>| {
                    kvs.map(|kv| (kv.key.to_string(), kv.value.to_string()))
                        .collect::<BTreeMap<_, _>>()
                };
                let points: Vec<Point> = match metric.data() {
                    AggregatedMetrics::F64(MetricData::Histogram(h)) => h
                        .data_points()
                        .map(|p| Point {
                            attributes: attributes(&mut p.attributes()),
                            count: p.count(),
                            sum: p.sum(),
                            bounds: p.bounds().collect(),
                        })
                        .collect(),
                    AggregatedMetrics::U64(MetricData::Sum(s)) => s
                        .data_points()
                        .map(|p| Point {
                            attributes: attributes(&mut p.attributes()),
                            count: p.value(),
                            sum: p.value() as f64,
                            bounds: Vec::new(),
                        })
                        .collect(),
                    other => panic!("unexpected data for {}: {other:?}", metric.name()),
                };
                out.insert(metric.name().to_owned(), (metric.unit().to_owned(), points));
            }
        }
    }
    out
}

fn find<'a>(points: &'a [Point], pairs: &[(&str, &str)]) -> &'a Point {
    points
        .iter()
        .find(|p| {
            pairs
                .iter()
                .all(|(k, v)| p.attributes.get(*k).map(String::as_str) == Some(*v))
        })
        .unwrap_or_else(|| panic!("no point with {pairs:?} in {points:#?}"))
}

#[tokio::test(start_paused = true)]
async fn attempts_calls_and_retries() {
    let (provider, exporter) = provider();
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).times(2));
    let client = support::in_process_builder(&fake)
        .base_url("https://api.example.test:8443/v1")
        .meter_provider(provider.clone())
        .max_retries(2)
        .retry_backoff(Duration::from_millis(500), Duration::from_secs(8))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let metrics = collect(&provider, &exporter);

    let (unit, attempts) = &metrics["http.client.request.duration"];
    assert_eq!(unit, "s");
    let failed = find(attempts, &[("http.response.status_code", "503")]);
    assert_eq!(failed.count, 2);
    assert_eq!(failed.attributes["error.type"], "503");
    assert_eq!(
        failed.bounds,
        [
            0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
        ]
    );
    let ok = find(attempts, &[("http.response.status_code", "200")]);
    assert_eq!(ok.count, 1);
    assert!(!ok.attributes.contains_key("error.type"));
    for (key, value) in [
        ("http.request.method", "GET"),
        ("server.address", "api.example.test"),
        ("server.port", "8443"),
        ("url.template", "/organization/invites"),
        ("network.protocol.version", "1.1"),
    ] {
        assert_eq!(ok.attributes[key], value, "{key}");
    }

    let (unit, calls) = &metrics["openai_invites.client.operation.duration"];
    assert_eq!(unit, "s");
    let call = find(calls, &[("openai_invites.operation", "listInvites")]);
    assert_eq!(
        (
            call.count,
            call.attributes["openai_invites.outcome"].as_str()
        ),
        (1, "ok")
    );
    assert_eq!(call.attributes["openai_invites.attempts"], "3");
    // Two backoffs of (0.75..=1) x (0.5 s, 1 s), on paused time.
    assert!((1.125..=1.5).contains(&call.sum), "{}", call.sum);

    let (_, retries) = &metrics["openai_invites.client.retries"];
    let retried = find(
        retries,
        &[("openai_invites.retry.reason", "server error (5xx)")],
    );
    assert_eq!(retried.count, 2);
    assert_eq!(
        retried.attributes["openai_invites.operation"],
        "listInvites"
    );
    // No attribute carries an id, an email or a raw path.
    let all = format!("{metrics:?}");
    assert!(!all.contains("invite-") && !all.contains('@'), "{all}");
}

#[tokio::test(start_paused = true)]
async fn a_cooldown_and_the_wait_it_causes() {
    let (provider, exporter) = provider();
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .meter_provider(provider.clone())
        .rate_limit(Quota::per_second(NonZeroU32::MIN))
        .disable_retries()
        .build()
        .unwrap();
    // A 429 with a hint: a cooldown for every caller, so the next call waits for the limiter.
    fake.push_fault(Fault::rate_limited(2000));
    client.list_invites(ListInvites::new()).await.unwrap_err();
    client.list_invites(ListInvites::new()).await.unwrap();
    let metrics = collect(&provider, &exporter);

    let (unit, cooldowns) = &metrics["openai_invites.client.cooldowns"];
    assert_eq!((unit.as_str(), cooldowns[0].count), ("{cooldown}", 1));

    let (unit, waits) = &metrics["openai_invites.client.rate_limit.wait"];
    assert_eq!(unit, "s");
    let list = find(waits, &[("openai_invites.operation", "listInvites")]);
    assert_eq!(
        list.count, 1,
        "only an attempt that had to wait is recorded"
    );
    assert!(
        (1.9..=2.1).contains(&list.sum),
        "the second waited out the cooldown: {}",
        list.sum
    );
}

#[tokio::test(start_paused = true)]
async fn reconciliations_and_failed_calls() {
    let (provider, exporter) = provider();
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .meter_provider(provider.clone())
        .build()
        .unwrap();
    // A create whose connection drops after it took effect: reconciled, created.
    fake.push_fault(
        Fault::drop_connection()
            .apply_first()
            .matching(Match::Operation(InviteUser::META)),
    );
    client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap();
    // A 404: the call's outcome is the error kind.
    client.retrieve_invite("invite-missing").await.unwrap_err();
    // An id that cannot be encoded: refused before the stack, and counted all the same.
    let refused = client.retrieve_invite("").await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Encode);
    let metrics = collect(&provider, &exporter);

    let (_, reconciled) = &metrics["openai_invites.client.reconciliations"];
    let created = find(
        reconciled,
        &[("openai_invites.reconciliation.result", "created")],
    );
    assert_eq!(created.count, 1);
    assert_eq!(created.attributes["openai_invites.operation"], "inviteUser");

    let (_, calls) = &metrics["openai_invites.client.operation.duration"];
    let missing = find(
        calls,
        &[
            ("openai_invites.operation", "retrieveInvite"),
            ("openai_invites.outcome", "api"),
        ],
    );
    assert_eq!(missing.attributes["openai_invites.attempts"], "1");
    let refused = find(
        calls,
        &[
            ("openai_invites.operation", "retrieveInvite"),
            ("openai_invites.outcome", "encode"),
        ],
    );
    assert_eq!(refused.count, 1);
    assert_eq!(refused.attributes["openai_invites.attempts"], "0");
}

#[tokio::test(start_paused = true)]
async fn store_failures_are_observed_from_the_limiter() {
    use openai_invites::layer::rate_limit::{Admission, LimiterFuture, RateLimiter};
    struct Flaky;
    impl RateLimiter for Flaky {
        fn acquire(&self) -> LimiterFuture<Admission> {
            LimiterFuture::ready(Ok(Admission::Granted))
        }
        fn cool_down(&self, _: Duration) -> LimiterFuture<()> {
            LimiterFuture::ready(Ok(()))
        }
        fn store_failures(&self) -> u64 {
            7
        }
    }
    let (provider, exporter) = provider();
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .meter_provider(provider.clone())
        .rate_limiter(Flaky)
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let metrics = collect(&provider, &exporter);
    let (unit, failures) = &metrics["openai_invites.client.rate_limiter.store_failures"];
    assert_eq!((unit.as_str(), failures[0].count), ("{failure}", 7));
}
