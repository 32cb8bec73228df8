//! `StopSignal`: how a caller (Ctrl-C, a shutdown) stops an apply.

use tokio_util::sync::CancellationToken;

/// Stops an apply: the first [`stop`](Self::stop) lets the rows in flight finish and starts
/// no more (the run returns as interrupted, the journal complete); the second stops at once
/// (requests in flight are dropped: their rows keep an intent and no outcome in the journal,
/// which the next run settles by reading the service). Cheap to clone; clones share the
/// signal.
///
/// ```
/// use openai_invites_roster::StopSignal;
///
/// let stop = StopSignal::new();
/// let for_ctrl_c = stop.clone();
/// for_ctrl_c.stop(); // first Ctrl-C
/// assert!(stop.is_stopping() && !stop.is_stopping_now());
/// for_ctrl_c.stop(); // second
/// assert!(stop.is_stopping_now());
/// ```
#[derive(Debug, Clone, Default)]
pub struct StopSignal {
    soft: CancellationToken,
    hard: CancellationToken,
}

impl StopSignal {
    /// A signal nobody has given yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first call: stop starting rows. Any later call: stop at once.
    pub fn stop(&self) {
        if self.soft.is_cancelled() {
            self.hard.cancel();
        } else {
            self.soft.cancel();
        }
    }

    /// Stops at once.
    pub fn stop_now(&self) {
        self.soft.cancel();
        self.hard.cancel();
    }

    /// Whether a stop was asked for.
    pub fn is_stopping(&self) -> bool {
        self.soft.is_cancelled()
    }

    /// Whether a stop at once was asked for.
    pub fn is_stopping_now(&self) -> bool {
        self.hard.is_cancelled()
    }

    /// A signal stopped by this one, which can also be stopped on its own (by the engine,
    /// when its journal fails) without stopping this one.
    pub(crate) fn child(&self) -> Self {
        Self {
            soft: self.soft.child_token(),
            hard: self.hard.child_token(),
        }
    }

    /// Stops starting rows, whatever was asked before (never escalates to a stop at once).
    pub(crate) fn stop_starting(&self) {
        self.soft.cancel();
    }

    /// Resolves when a stop is asked for.
    pub(crate) async fn stopping(&self) {
        self.soft.cancelled().await;
    }

    /// Resolves when a stop at once is asked for.
    pub(crate) async fn stopping_now(&self) {
        self.hard.cancelled().await;
    }
}
