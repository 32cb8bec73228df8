//! `Instruments`: the OpenTelemetry instruments of one client, and their attributes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use openai_invites_core::{BaseUrl, OperationMeta};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, MeterProvider, ObservableCounter};
use smallvec::SmallVec;

use crate::ErrorKind;
use crate::layer::rate_limit::RateLimiter;
use crate::layer::reconcile::Reconciled;

/// The bucket boundaries OpenTelemetry's HTTP conventions advise for durations, in seconds.
const DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Every instrument the client records into, made once at `build()`.
pub(crate) struct Instruments {
    request_duration: Histogram<f64>,
    operation_duration: Histogram<f64>,
    retries: Counter<u64>,
    cooldowns: Counter<u64>,
    reconciliations: Counter<u64>,
    limiter_wait: Histogram<f64>,
    // Kept so that its callback stays registered.
    _store_failures: ObservableCounter<u64>,
    // The attributes every attempt shares: where it goes.
    server_address: KeyValue,
    server_port: KeyValue,
}

impl Instruments {
    pub(crate) fn new(
        provider: &dyn MeterProvider,
        base: &BaseUrl,
        limiter: Arc<dyn RateLimiter>,
    ) -> Self {
        let scope = opentelemetry::InstrumentationScope::builder("openai-invites")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        let meter = provider.meter_with_scope(scope);
        let seconds = |name: &'static str, description: &'static str| {
            meter
                .f64_histogram(name)
                .with_unit("s")
                .with_description(description)
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build()
        };
        let counter = |name: &'static str, unit: &'static str, description: &'static str| {
            meter
                .u64_counter(name)
                .with_unit(unit)
                .with_description(description)
                .build()
        };
        let host: Arc<str> = base.host().into();
        Self {
            request_duration: seconds(
                "http.client.request.duration",
                "Duration of HTTP client requests (one attempt).",
            ),
            operation_duration: seconds(
                "openai_invites.client.operation.duration",
                "Duration of a call, every attempt and wait included.",
            ),
            retries: counter(
                "openai_invites.client.retries",
                "{retry}",
                "Attempts sent again, by reason.",
            ),
            cooldowns: counter(
                "openai_invites.client.cooldowns",
                "{cooldown}",
                "429 answers whose hint paused every caller.",
            ),
            reconciliations: counter(
                "openai_invites.client.reconciliations",
                "{reconciliation}",
                "Ambiguous outcomes settled by reading the service, by result.",
            ),
            limiter_wait: seconds(
                "openai_invites.client.rate_limit.wait",
                "Time an attempt waited for a rate-limit permit.",
            ),
            _store_failures: meter
                .u64_observable_counter("openai_invites.client.rate_limiter.store_failures")
                .with_unit("{failure}")
                .with_description("Failures of the rate limiter's store.")
                .with_callback(move |observer| observer.observe(limiter.store_failures(), &[]))
                .build(),
            server_address: KeyValue::new("server.address", host),
            server_port: KeyValue::new("server.port", i64::from(base.port())),
        }
    }

    /// One attempt of `(method, url template)` ended, with an answer or `failed` (a
    /// low-cardinality error type).
    pub(crate) fn attempt(
        &self,
        (method, template): (&'static str, &'static str),
        answer: Option<&http::Response<Bytes>>,
        failed: Option<&'static str>,
        took: Duration,
    ) {
        let mut attributes: SmallVec<[KeyValue; 7]> = SmallVec::new();
        attributes.push(KeyValue::new("http.request.method", method));
        attributes.push(self.server_address.clone());
        attributes.push(self.server_port.clone());
        attributes.push(KeyValue::new("url.template", template));
        if let Some(response) = answer {
            let status = response.status();
            attributes.push(KeyValue::new(
                "network.protocol.version",
                protocol(response.version()),
            ));
            attributes.push(KeyValue::new(
                "http.response.status_code",
                i64::from(status.as_u16()),
            ));
            if let Some(error_type) = crate::layer::trace::status_error_type(&status) {
                attributes.push(KeyValue::new("error.type", error_type.to_owned()));
            }
        }
        if let Some(kind) = failed {
            attributes.push(KeyValue::new("error.type", kind));
        }
        self.request_duration
            .record(took.as_secs_f64(), &attributes);
    }

    /// One call ended.
    pub(crate) fn call(
        &self,
        meta: &OperationMeta,
        failed: Option<ErrorKind>,
        attempts: u32,
        took: Duration,
    ) {
        let outcome = failed.map_or("ok", crate::ErrorKind::error_type);
        self.operation_duration.record(
            took.as_secs_f64(),
            &[
                KeyValue::new("openai_invites.operation", meta.name),
                KeyValue::new("openai_invites.outcome", outcome),
                KeyValue::new("openai_invites.attempts", i64::from(attempts)),
            ],
        );
    }

    pub(crate) fn retry(&self, operation: &'static str, reason: &'static str) {
        self.retries.add(
            1,
            &[
                KeyValue::new("openai_invites.operation", operation),
                KeyValue::new("openai_invites.retry.reason", reason),
            ],
        );
    }

    pub(crate) fn cooldown(&self) {
        self.cooldowns.add(1, &[]);
    }

    pub(crate) fn reconciled(&self, operation: &'static str, found: Reconciled) {
        self.reconciliations.add(
            1,
            &[
                KeyValue::new("openai_invites.operation", operation),
                KeyValue::new("openai_invites.reconciliation.result", found.as_str()),
            ],
        );
    }

    pub(crate) fn limiter_wait(&self, meta: Option<&OperationMeta>, waited: Duration) {
        self.limiter_wait.record(
            waited.as_secs_f64(),
            &[KeyValue::new("openai_invites.operation", operation(meta))],
        );
    }
}

fn operation(meta: Option<&OperationMeta>) -> &'static str {
    meta.map_or("unknown", |m| m.name)
}

/// The method and url template of an attempt, as its attributes name them.
pub(crate) fn route(meta: Option<&OperationMeta>) -> (&'static str, &'static str) {
    meta.map_or(("_OTHER", ""), |m| (method(&m.method), m.url_template))
}

/// The method as OpenTelemetry names it: a known method, or `_OTHER`.
fn method(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::DELETE => "DELETE",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        _ => "_OTHER",
    }
}

fn protocol(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_09 => "0.9",
        http::Version::HTTP_10 => "1.0",
        http::Version::HTTP_2 => "2",
        http::Version::HTTP_3 => "3",
        _ => "1.1",
    }
}
