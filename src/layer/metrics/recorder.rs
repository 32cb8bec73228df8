//! `Recorder`: the recording points the layers call; nothing at all without the feature.

#[cfg(feature = "metrics")]
use std::sync::Arc;
use std::time::Duration;

use openai_invites_core::OperationMeta;

#[cfg(feature = "metrics")]
use super::instruments::Instruments;
use crate::ErrorKind;
use crate::layer::reconcile::Reconciled;

/// The client's instruments, shared by its layers (a zero-sized no-op without the feature).
#[derive(Clone, Default)]
pub(crate) struct Recorder {
    #[cfg(feature = "metrics")]
    instruments: Option<Arc<Instruments>>,
}

impl Recorder {
    #[cfg(feature = "metrics")]
    pub(crate) fn new(instruments: Instruments) -> Self {
        Self {
            instruments: Some(Arc::new(instruments)),
        }
    }

    #[cfg(feature = "metrics")]
    pub(crate) fn instruments(&self) -> Option<&Instruments> {
        self.instruments.as_deref()
    }

    /// A retry, and why.
    #[inline]
    pub(crate) fn retry(&self, operation: &'static str, reason: &'static str) {
        #[cfg(feature = "metrics")]
        if let Some(i) = self.instruments() {
            i.retry(operation, reason);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = (operation, reason);
    }

    /// A 429 hint paused every caller.
    #[inline]
    pub(crate) fn cooldown(&self) {
        #[cfg(feature = "metrics")]
        if let Some(i) = self.instruments() {
            i.cooldown();
        }
    }

    /// What a reconciliation found.
    #[inline]
    pub(crate) fn reconciled(&self, operation: &'static str, found: Reconciled) {
        #[cfg(feature = "metrics")]
        if let Some(i) = self.instruments() {
            i.reconciled(operation, found);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = (operation, found);
    }

    /// How long the attempt `request` waited for its permit.
    #[inline]
    pub(crate) fn limiter_wait<B>(&self, request: &http::Request<B>, waited: Duration) {
        #[cfg(feature = "metrics")]
        if let Some(i) = self.instruments() {
            i.limiter_wait(OperationMeta::of(request), waited);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = (request, waited);
    }
}

/// Times one call, from its first poll to its result (zero-sized without the feature).
#[derive(Default)]
pub(crate) struct CallTimer {
    #[cfg(feature = "metrics")]
    started: Option<tokio::time::Instant>,
}

impl CallTimer {
    /// Marks the first poll.
    #[inline]
    pub(crate) fn start(&mut self) {
        #[cfg(feature = "metrics")]
        if self.started.is_none() {
            self.started = Some(tokio::time::Instant::now());
        }
    }

    /// The call ended: `failed` is its error's kind.
    #[inline]
    pub(crate) fn finish(
        &self,
        recorder: &Recorder,
        meta: &OperationMeta,
        failed: Option<ErrorKind>,
        attempts: u32,
    ) {
        #[cfg(feature = "metrics")]
        if let (Some(i), Some(started)) = (recorder.instruments(), self.started) {
            i.call(meta, failed, attempts, started.elapsed());
        }
        #[cfg(not(feature = "metrics"))]
        let _ = (recorder, meta, failed, attempts);
    }
}
