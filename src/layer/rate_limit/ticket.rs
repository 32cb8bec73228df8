//! `Ticket`: a granted attempt, for a limiter that learns from the answers.

use std::fmt;
use std::sync::Arc;

use super::RateLimiter;

/// One attempt a limiter that [`learns_from_answers`](RateLimiter::learns_from_answers)
/// granted: tells it how the attempt ended, exactly once; dropped without an answer (an
/// error, or the call dropped while the attempt was in flight), it tells it none came.
pub(super) struct Ticket {
    limiter: Option<Arc<dyn RateLimiter>>,
}

impl Ticket {
    /// A ticket for an attempt `limiter` granted, if it learns from answers.
    pub(super) fn of(limiter: &Arc<dyn RateLimiter>, learns: bool) -> Option<Self> {
        learns.then(|| Self {
            limiter: Some(Arc::clone(limiter)),
        })
    }

    /// The attempt ended with this answer (`None`: no answer came).
    pub(super) fn end(mut self, answer: Option<&http::HeaderMap>) {
        if let Some(limiter) = self.limiter.take() {
            limiter.attempt_ended(answer);
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(limiter) = self.limiter.take() {
            limiter.attempt_ended(None);
        }
    }
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ticket")
    }
}
