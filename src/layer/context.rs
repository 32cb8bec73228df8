//! `CallContext`: what the layers of one call share, and report to the client on the way back.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use std::time::Duration;

use tokio::time::Instant;

/// Shared by every attempt of one call: clones of the request share it through their
/// extensions. The client inserts it (a [`TotalTimeoutLayer`](super::TotalTimeoutLayer) used
/// on its own inserts one when there is none).
///
/// - the total-timeout layer sets the call's deadline, the one place it is kept (read it with
///   [`Deadline::of`](super::Deadline::of));
/// - the attempt-span layer counts attempts;
/// - the retry layer notes why it stopped retrying, for the error message.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    attempts: AtomicU32,
    // With the total timeout it came from, for the error message.
    deadline: OnceLock<(Instant, Duration)>,
    // Written only on the failure path.
    stop_reason: Mutex<Option<&'static str>>,
}

impl CallContext {
    /// The context of the call `request` belongs to.
    pub(crate) fn of<B>(request: &http::Request<B>) -> Option<&CallContext> {
        request.extensions().get()
    }

    /// Counts one more attempt and returns how many were made before it.
    pub(crate) fn start_attempt(&self) -> u32 {
        self.shared.attempts.fetch_add(1, Ordering::Relaxed)
    }

    /// Attempts made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.shared.attempts.load(Ordering::Relaxed)
    }

    /// Records the call's deadline. The first one set wins: it is the outermost total
    /// timeout's (an inner, shorter one still fires on its own timer).
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
