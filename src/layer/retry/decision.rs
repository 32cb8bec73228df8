//! `Decision`: what a classifier says about one failed attempt.

use std::time::Duration;

/// Why a retry is or is not made; short, stable strings for events and errors.
pub type Reason = &'static str;

/// The verdict on one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Try again, after the service's hint when it gave one (else after backoff).
    Retry {
        /// Why.
        reason: Reason,
        /// `retry-after-ms` / `retry-after` of the answer, if any.
        after: Option<Duration>,
    },
    /// This classifier does not know; ask the next one.
    NoOpinion,
    /// Do not try again.
    Forbidden(Reason),
}

impl Decision {
    /// Whether this decision ends the classification.
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::NoOpinion)
    }
}
