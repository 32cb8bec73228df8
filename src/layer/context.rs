//! `CallContext`: what the layers of one call tell each other, and the client on the way back
//! up.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Shared by every attempt of one call (clones of the request share it through their
/// extensions). The client inserts it; the total-timeout layer puts the call's deadline in it
/// and the attempt timeout reads it (and says when its timer stands for the deadline); the
/// attempt layer counts into it; the retry layer notes why it stopped retrying, for the error
/// message.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    attempts: AtomicU32,
    // Set by the total-timeout layer, with the timeout it came from; kept here rather than as
    // its own request extension.
    deadline: OnceLock<(Instant, Duration)>,
    // The total-timeout layer's poll passes, and the last pass in which an attempt timer that
    // fires by the deadline was armed (see `TotalTimeoutFuture`).
    pass: AtomicU32,
    covered_pass: AtomicU32,
    // Written only on the failure path.
    stop_reason: Mutex<Option<&'static str>>,
}

impl CallContext {
    /// Counts one more attempt and returns how many were made before it.
    pub(crate) fn start_attempt(&self) -> u32 {
        self.shared.attempts.fetch_add(1, Ordering::Relaxed)
    }

    /// Attempts made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.shared.attempts.load(Ordering::Relaxed)
    }

    /// Records the call's deadline and the total timeout it came from (the first one set wins:
    /// it is the outermost layer's).
    pub(crate) fn set_deadline(&self, deadline: Instant, timeout: Duration) {
        let _ = self.shared.deadline.set((deadline, timeout));
    }

    /// The call's deadline, if a total-timeout layer set one.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.bound().map(|(deadline, _)| deadline)
    }

    /// The call's deadline and the total timeout it came from.
    pub(crate) fn bound(&self) -> Option<(Instant, Duration)> {
        self.shared.deadline.get().copied()
    }

    /// Starts one poll pass of the total-timeout layer; returns its number.
    pub(crate) fn begin_pass(&self) -> u32 {
        self.shared
            .pass
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1)
    }

    /// Says that in the current pass an attempt timer is armed that fires by the deadline.
    pub(crate) fn mark_covered(&self) {
        let pass = self.shared.pass.load(Ordering::Relaxed);
        self.shared.covered_pass.store(pass, Ordering::Relaxed);
    }

    /// Whether [`mark_covered`](Self::mark_covered) was called during pass `pass`.
    pub(crate) fn covered(&self, pass: u32) -> bool {
        self.shared.covered_pass.load(Ordering::Relaxed) == pass
    }

    /// Why the retry layer did not try again after the last failure.
    pub(crate) fn note_stop(&self, reason: &'static str) {
        *self
            .shared
            .stop_reason
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(reason);
    }

    /// The reason noted by [`note_stop`](Self::note_stop), if any.
    pub(crate) fn stop_reason(&self) -> Option<&'static str> {
        *self
            .shared
            .stop_reason
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
