//! The soak's transport: the fake's in-process face, with a fault of a random kind scripted
//! for a share of the requests.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use openai_invites::defaults;
use openai_invites_mock::{FakeError, FakeInvites, FakeService, Fault};
use tower::Service;

use super::lock;

/// The soak's settings, from the environment.
pub struct Settings {
    pub calls: usize,
    pub concurrency: usize,
    pub fault_percent: u8,
    pub seed: u64,
    pub emails: usize,
}

impl Settings {
    /// `CALLS`, `CONCURRENCY`, `FAULTS` (percent of requests), `SEED`, `EMAILS`; a short run
    /// when not benching.
    pub fn from_env(benching: bool) -> Self {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        }
        let calls = var("CALLS", if benching { 100_000 } else { 2_000 });
        let concurrency = var("CONCURRENCY", 256_usize).clamp(1, calls.max(1));
        Self {
            calls,
            concurrency,
            fault_percent: var("FAULTS", 5_u8).min(100),
            seed: var("SEED", 1),
            emails: var("EMAILS", 1_000_usize).max(1),
        }
    }
}

/// The fake's in-process face; `percent` of the requests meet a random fault.
#[derive(Clone)]
pub struct Faulty {
    fake: FakeInvites,
    service: FakeService,
    percent: u8,
    rng: Arc<Mutex<fastrand::Rng>>,
    counts: Arc<Mutex<BTreeMap<&'static str, usize>>>,
}

impl Faulty {
    pub fn new(fake: &FakeInvites, percent: u8, seed: u64) -> Self {
        Self {
            fake: fake.clone(),
            service: fake.service(),
            percent,
            rng: Arc::new(Mutex::new(fastrand::Rng::with_seed(seed ^ 0x5eed))),
            counts: Arc::default(),
        }
    }

    /// Faults scripted so far, by kind.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        lock(&self.counts).clone()
    }

    fn pick(&self) -> Option<Fault> {
        let mut rng = lock(&self.rng);
        if rng.u8(0..100) >= self.percent {
            return None;
        }
        let (kind, fault) = random_fault(&mut rng);
        // A 429 says the service refused before acting: never after it acted.
        let (kind, fault) = if rng.bool() && !kind.0.starts_with("429") {
            (kind.1, fault.apply_first())
        } else {
            (kind.0, fault)
        };
        *lock(&self.counts).entry(kind).or_default() += 1;
        Some(fault)
    }
}

/// A fault of every kind the fake offers (statuses, HTML, a 429 with or without a hint,
/// delays, a dropped connection, 2xx bodies that are cut, malformed or oversized), named as it
/// is and as it is applied first. (The response-size cap is enforced by the network transport,
/// which the soak swaps out: an oversized body here is only a large one; the cap's errors are
/// tested in `crates/openai-invites-tests/tests/security.rs`.)
fn random_fault(rng: &mut fastrand::Rng) -> ((&'static str, &'static str), Fault) {
    let past_the_attempt_timeout = defaults::ATTEMPT_TIMEOUT + Duration::from_secs(1);
    match rng.u8(0..13) {
        0 => (("500", "500 applied first"), Fault::status(500)),
        1 => (
            ("502 html", "502 html applied first"),
            Fault::html(502, "<html>bad gateway</html>"),
        ),
        2 => (("503", "503 applied first"), Fault::status(503)),
        3 => (("408", "408 applied first"), Fault::status(408)),
        4 => (("409", "409 applied first"), Fault::status(409)),
        5 => (
            ("429 hint", "429 hint applied first"),
            Fault::rate_limited(rng.u64(50..2_000)),
        ),
        6 => (("429", "429 applied first"), Fault::status(429)),
        7 => (("drop", "drop applied first"), Fault::drop_connection()),
        8 => (
            ("truncated", "truncated applied first"),
            Fault::truncated_body(),
        ),
        9 => (
            ("malformed", "malformed applied first"),
            Fault::malformed_json(),
        ),
        10 => (
            ("oversized", "oversized applied first"),
            Fault::oversized_body(64 * 1024),
        ),
        11 => (
            ("short delay", "short delay applied first"),
            Fault::delay(Duration::from_millis(rng.u64(10..2_000))),
        ),
        _ => (
            (
                "delay past the attempt timeout",
                "delay past the attempt timeout applied first",
            ),
            Fault::delay(past_the_attempt_timeout),
        ),
    }
}

impl Service<http::Request<Bytes>> for Faulty {
    type Response = http::Response<Bytes>;
    type Error = FakeError;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, FakeError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), FakeError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let fault = self.pick();
        let (fake, mut service) = (self.fake.clone(), self.service.clone());
        Box::pin(async move {
            // The fake takes a fault from its queue when it first polls the request: queued and
            // taken in one poll of this task, on a one-thread runtime, it is this request's.
            if let Some(fault) = fault {
                fake.push_fault(fault);
            }
            service.call(request).await
        })
    }
}
