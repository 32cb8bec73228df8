//! `Outage`: whether Redis is answering, the failure count, and when to try it again.
//!
//! While Redis answers, every permit asks it. After a failure the limiter answers by its
//! policy without asking Redis, except for one probe per `probe_interval`, so an outage costs
//! callers one timeout per interval rather than one per call. One warning is logged when an
//! outage begins and one event when a probe finds Redis answering again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::StoreError;

/// The store's health, shared by every caller of one limiter. Lock-free; on tokio's clock.
#[derive(Debug)]
pub(crate) struct Outage {
    start: Instant,
    probe_interval: u64,
    failures: AtomicU64,
    /// Nanoseconds since `start`, plus one, when the current outage began; 0 while Redis
    /// answers.
    down_since: AtomicU64,
    /// Nanoseconds since `start` from which the next probe may ask Redis.
    next_probe: AtomicU64,
}

/// Permission to ask Redis, holding when the call started.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask {
    started: u64,
}

impl Outage {
    pub(crate) fn new(probe_interval: Duration) -> Self {
        Self {
            start: Instant::now(),
            probe_interval: nanos(probe_interval),
            failures: AtomicU64::new(0),
            down_since: AtomicU64::new(0),
            next_probe: AtomicU64::new(0),
        }
    }

    /// May this call ask Redis? Yes while it answers; during an outage only the one call
    /// that claims a due probe. Otherwise the error to answer with under `Deny`.
    pub(crate) fn ask(&self) -> Result<Ask, StoreError> {
        let now = self.now();
        let since = self.down_since.load(Ordering::Acquire);
        if since == 0 {
            return Ok(Ask { started: now });
        }
        let next = self.next_probe.load(Ordering::Acquire);
        let due = now >= next
            && self
                .next_probe
                .compare_exchange(
                    next,
                    now.saturating_add(self.probe_interval),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok();
        if due {
            return Ok(Ask { started: now });
        }
        Err(StoreError::Down(Duration::from_nanos(
            now.saturating_sub(since - 1),
        )))
    }

    /// A call to Redis failed: count it; the first failure of an outage warns, once.
    pub(crate) fn failed(&self, error: &StoreError, meanwhile: &'static str) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let now = self.now();
        self.next_probe
            .store(now.saturating_add(self.probe_interval), Ordering::Release);
        let began = self
            .down_since
            .compare_exchange(
                0,
                now.saturating_add(1),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok();
        if began {
            tracing::warn!(
                %error,
                failures = self.failures(),
                "the shared rate limit on Redis is unavailable; meanwhile {meanwhile}"
            );
        }
    }

    /// Redis answered the call `ask` allowed. Only a call started during the outage (a
    /// probe) ends it: a slow answer to an older call says nothing about Redis now.
    pub(crate) fn answered(&self, ask: Ask) {
        let since = self.down_since.load(Ordering::Acquire);
        // A probe always starts after the failure that began the outage (at least one
        // `probe_interval` later), so a call started at that instant or before is no probe.
        if since == 0 || ask.started < since {
            return;
        }
        let ended = self
            .down_since
            .compare_exchange(since, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if ended {
            let outage = Duration::from_nanos(self.now().saturating_sub(since - 1));
            tracing::info!(
                outage_ms = u64::try_from(outage.as_millis()).unwrap_or(u64::MAX),
                failures = self.failures(),
                "the shared rate limit on Redis is back"
            );
        }
    }

    /// Every failed call so far.
    pub(crate) fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Whether an outage is in progress.
    pub(crate) fn is_down(&self) -> bool {
        self.down_since.load(Ordering::Acquire) != 0
    }

    fn now(&self) -> u64 {
        nanos(self.start.elapsed())
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
#[path = "outage/tests.rs"]
mod tests;
