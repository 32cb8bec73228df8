//! `CallContext`: what the layers of one call tell the client on the way back up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Shared by every attempt of one call (clones of the request share it through their
/// extensions). The client inserts it; the attempt layer counts into it.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {
    attempts: Arc<AtomicU32>,
}

impl CallContext {
    /// Counts one more attempt and returns how many were made before it.
    pub(crate) fn start_attempt(&self) -> u32 {
        self.attempts.fetch_add(1, Ordering::Relaxed)
    }

    /// Attempts made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }
}
