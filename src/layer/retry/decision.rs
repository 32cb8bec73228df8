//! `Decision`: what a classifier says about one attempt's outcome.

use std::fmt;

/// Why a retry is or is not made; short, stable strings for events and errors.
pub type Reason = &'static str;

/// The verdict on one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Try again (after the service's hint, or backoff).
    Retry(Reason),
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

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Retry(reason) => write!(f, "retry: {reason}"),
            Self::NoOpinion => f.write_str("no opinion"),
            Self::Forbidden(reason) => write!(f, "no retry: {reason}"),
        }
    }
}
