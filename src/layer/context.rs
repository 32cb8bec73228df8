//! `CallContext`: what the layers of one call share, and report to the client on the way back.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use std::time::Duration;

use tokio::time::Instant;

use crate::layer::retry::Reconciled;

/// Shared by every attempt of one call: clones of the request share it through their
/// extensions. The client inserts it (a [`TotalTimeoutLayer`](super::TotalTimeoutLayer) used
/// on its own inserts one when there is none).
///
/// - the total-timeout layer sets the call's deadline, the one place it is kept (read it with
///   [`Deadline::of`](super::Deadline::of));
/// - the attempt-span layer counts attempts;
/// - the retry layer notes why it stopped retrying, and what a reconciliation found, for the
///   error message and the call's information.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    attempts: AtomicU32,
    // With the total timeout it came from, for the error message.
    deadline: OnceLock<(Instant, Duration)>,
    // Written only on the failure path, or after a reconciliation.
    notes: Mutex<Notes>,
}

/// What the retry layer tells the client about how the call ended.
#[derive(Debug, Default, Clone)]
pub(crate) struct Notes {
    /// Why it did not try again after the last failure.
    pub(crate) stop_reason: Option<&'static str>,
    /// What reading the service found, when the outcome was ambiguous.
    pub(crate) reconciled: Option<Reconciled>,
    /// Why a reconciliation could not tell.
    pub(crate) reconcile_failure: Option<String>,
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

    /// A context for the reads of a reconciliation: the same deadline, its own attempt count.
    pub(crate) fn for_reads(&self) -> CallContext {
        let reads = CallContext::default();
        if let Some((deadline, timeout)) = self.bound() {
            reads.set_deadline(deadline, timeout);
        }
        reads
    }

    fn notes_mut(&self) -> std::sync::MutexGuard<'_, Notes> {
        self.shared
            .notes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Why the retry layer did not try again after the last failure.
    pub(crate) fn note_stop(&self, reason: &'static str) {
        self.notes_mut().stop_reason = Some(reason);
    }

    /// What a reconciliation found; `failure` says why it could not tell.
    pub(crate) fn note_reconciled(&self, found: Reconciled, failure: Option<String>) {
        let mut notes = self.notes_mut();
        notes.reconciled = Some(found);
        notes.reconcile_failure = failure;
    }

    /// Everything noted so far.
    pub(crate) fn notes(&self) -> Notes {
        self.notes_mut().clone()
    }
}
