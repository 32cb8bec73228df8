//! `CallContext`: what the layers of one call share, and report to the client on the way back.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use std::time::Duration;

use tokio::time::Instant;

use crate::failure::Effect;
use crate::layer::reconcile::Reconciled;
use crate::scrub::Secrets;

/// Shared by every attempt of one call: clones of the request share it through their
/// extensions. The client inserts it (a [`TotalTimeoutLayer`](super::TotalTimeoutLayer) used
/// on its own inserts one when there is none).
///
/// - the total-timeout layer sets the call's deadline, the one place it is kept (read it with
///   [`Deadline::of`](super::Deadline::of));
/// - the retry loop counts attempts and notes how each ended (whether it may have reached the
///   service, whether the service may have acted on it), why it stopped retrying, and what a
///   reconciliation found, for the error message and the call's information;
/// - the rate-limit layer says when it holds an attempt back and when it admits it: an
///   attempt the limiter still holds when the call is cut short was never sent. In a stack of
///   your own without the rate-limit layer, an attempt counts as admitted from when the retry
///   loop hands it down (nothing says it is held);
/// - the client's secrets travel in it, so that every layer scrubs what it reports of the
///   network's text (a request id, a reconciliation's failure) as the error does.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    // Attempts that ended, but those the client's own limiter held back.
    attempts: AtomicU32,
    // An attempt was begun (handed down by the retry loop) and its outcome is not classified
    // yet (a total timeout that cuts the call short leaves it set); `in_flight_may_act`: its
    // operation changes state.
    in_flight: AtomicBool,
    in_flight_may_act: AtomicBool,
    // The attempt begun is held by the client's rate limiter: it has not gone below it.
    held: AtomicBool,
    // Some attempt may have reached the service.
    reached: AtomicBool,
    // The service may have acted on some attempt of an operation that changes state, and no
    // reconciliation has settled it since.
    maybe_acted: AtomicBool,
    // With the total timeout it came from, for the error message.
    deadline: OnceLock<(Instant, Duration)>,
    // Written only on the failure path, or after a reconciliation.
    notes: Mutex<Notes>,
    // What nothing the call reports may contain (none when a layer made the context).
    secrets: Option<Arc<Secrets>>,
    // The caller turned the search for an ambiguous create off for this call
    // (`Call::without_reconciliation`).
    no_reconciliation: AtomicBool,
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
    /// Whether the service may have acted on some attempt, unsettled ([`CallContext::maybe_acted`]).
    pub(crate) maybe_acted: bool,
    /// Whether some attempt may have reached the service ([`CallContext::reached`]).
    pub(crate) reached: bool,
}

impl CallContext {
    /// A context for a call of a client with these secrets.
    pub(crate) fn scrubbing(secrets: Arc<Secrets>) -> Self {
        Self {
            shared: Arc::new(Shared {
                secrets: Some(secrets),
                ..Shared::default()
            }),
        }
    }

    /// The context of the call `request` belongs to.
    pub(crate) fn of<B>(request: &http::Request<B>) -> Option<&CallContext> {
        request.extensions().get()
    }

    /// Turns the search for an ambiguous create off for this call: such an outcome is
    /// returned as it is.
    pub(crate) fn turn_off_reconciliation(&self) {
        self.shared.no_reconciliation.store(true, Ordering::Relaxed);
    }

    /// Whether the call lets the client search for an ambiguous create (unless its policy
    /// says not to).
    pub(crate) fn reconciles(&self) -> bool {
        !self.shared.no_reconciliation.load(Ordering::Relaxed)
    }

    /// The retry loop sends an attempt down now; `changes_state`: its operation is not a
    /// read, so the service may act on it. It counts as admitted unless the rate limiter
    /// [holds](Self::hold_attempt) it.
    pub(crate) fn begin_attempt(&self, changes_state: bool) {
        let shared = &self.shared;
        shared
            .in_flight_may_act
            .store(changes_state, Ordering::Relaxed);
        shared.held.store(false, Ordering::Relaxed);
        shared.in_flight.store(true, Ordering::Relaxed);
    }

    /// The rate limiter holds the attempt begun: until it is [admitted](Self::admit_attempt),
    /// nothing of it has gone towards the service.
    pub(crate) fn hold_attempt(&self) {
        self.shared.held.store(true, Ordering::Relaxed);
    }

    /// The rate limiter lets the attempt begun go on to the layers below.
    pub(crate) fn admit_attempt(&self) {
        self.shared.held.store(false, Ordering::Relaxed);
    }

    /// The retry loop classified the attempt in flight: `counted`, it was an attempt (the
    /// client's limiter did not hold it back); `reached`, it may have reached the service;
    /// `effect`, what it tells about the call's effect on the service
    /// ([`failure::effect`](crate::failure::effect)).
    pub(crate) fn end_attempt(&self, counted: bool, reached: bool, effect: Effect) {
        let shared = &self.shared;
        shared.in_flight.store(false, Ordering::Relaxed);
        if counted {
            shared.attempts.fetch_add(1, Ordering::Relaxed);
        }
        if reached {
            shared.reached.store(true, Ordering::Relaxed);
        }
        match effect {
            Effect::Unknown => shared.maybe_acted.store(true, Ordering::Relaxed),
            Effect::Settled => shared.maybe_acted.store(false, Ordering::Relaxed),
            Effect::Unchanged => {}
        }
    }

    /// An attempt is in flight past the rate limiter: begun, not held, not yet classified.
    fn in_flight(&self) -> bool {
        let shared = &self.shared;
        shared.in_flight.load(Ordering::Relaxed) && !shared.held.load(Ordering::Relaxed)
    }

    /// Whether the service may have acted on some attempt of the call, unsettled: an
    /// ambiguous outcome no reconciliation has settled, or an attempt cut short in flight
    /// (for an operation that changes state; one the rate limiter still held does not count).
    pub(crate) fn maybe_acted(&self) -> bool {
        let shared = &self.shared;
        shared.maybe_acted.load(Ordering::Relaxed)
            || (self.in_flight() && shared.in_flight_may_act.load(Ordering::Relaxed))
    }

    /// Whether some attempt may have reached the service (one in flight counts, unless the
    /// rate limiter still held it).
    pub(crate) fn reached(&self) -> bool {
        self.shared.reached.load(Ordering::Relaxed) || self.in_flight()
    }

    /// Attempts made so far (one in flight counts, unless the rate limiter still held it).
    pub(crate) fn attempts(&self) -> u32 {
        self.shared.attempts.load(Ordering::Relaxed) + u32::from(self.in_flight())
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

    /// The client's secrets, to scrub what the call reports.
    pub(crate) fn secrets(&self) -> Option<&Arc<Secrets>> {
        self.shared.secrets.as_ref()
    }

    /// `text` without the client's secrets.
    pub(crate) fn scrub(&self, mut text: String) -> String {
        if let Some(secrets) = self.secrets() {
            secrets.scrub_in_place(&mut text);
        }
        text
    }

    /// A context for the reads of a reconciliation: the same deadline and secrets, its own
    /// attempt count.
    pub(crate) fn for_reads(&self) -> CallContext {
        let reads = match self.secrets() {
            Some(secrets) => CallContext::scrubbing(secrets.clone()),
            None => CallContext::default(),
        };
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

    /// What a reconciliation found; `failure` says why it could not tell. Any finding but
    /// [`Reconciled::Failed`] settles what the call's attempts did.
    pub(crate) fn note_reconciled(&self, found: Reconciled, failure: Option<String>) {
        if found != Reconciled::Failed {
            self.shared.maybe_acted.store(false, Ordering::Relaxed);
        }
        let mut notes = self.notes_mut();
        notes.reconciled = Some(found);
        notes.reconcile_failure = failure;
    }

    /// Everything noted so far.
    pub(crate) fn notes(&self) -> Notes {
        let mut notes = self.notes_mut().clone();
        notes.maybe_acted = self.maybe_acted();
        notes.reached = self.reached();
        notes
    }
}
