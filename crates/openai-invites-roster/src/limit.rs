//! `MaxRevoke`: how many pending invites one apply may revoke before it refuses to start.

use std::fmt;
use std::str::FromStr;

/// The most revocations an apply may make, as a count or as a share of the organization's
/// pending invites (rounded down); above it, nothing is changed. Default: 10 %.
///
/// ```
/// use openai_invites_roster::MaxRevoke;
///
/// let ten_percent: MaxRevoke = "10%".parse()?;
/// assert_eq!(ten_percent, MaxRevoke::default());
/// assert_eq!(ten_percent.limit(45), 4);
/// assert_eq!("3".parse::<MaxRevoke>()?.limit(1_000), 3);
/// assert!("lots".parse::<MaxRevoke>().is_err());
/// # Ok::<(), openai_invites_roster::BadMaxRevoke>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxRevoke {
    /// At most this many.
    Count(usize),
    /// At most this percentage (0 to 100) of the pending invites.
    Percent(u8),
}

/// The default share: 10 % of the pending invites.
pub const DEFAULT_MAX_REVOKE_PERCENT: u8 = 10;

impl Default for MaxRevoke {
    fn default() -> Self {
        Self::Percent(DEFAULT_MAX_REVOKE_PERCENT)
    }
}

impl MaxRevoke {
    /// How many revocations are allowed when the organization has `pending` pending invites.
    pub fn limit(self, pending: usize) -> usize {
        match self {
            Self::Count(n) => n,
            Self::Percent(p) => pending.saturating_mul(usize::from(p)) / 100,
        }
    }
}

impl fmt::Display for MaxRevoke {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(n) => write!(f, "{n}"),
            Self::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// A `MaxRevoke` that is neither a count nor a percentage from 0 to 100.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a count (`5`) or a percentage from 0 to 100 (`10%`)")]
pub struct BadMaxRevoke(String);

impl FromStr for MaxRevoke {
    type Err = BadMaxRevoke;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadMaxRevoke(text.to_owned());
        let text = text.trim();
        match text.strip_suffix('%') {
            Some(p) => match p.trim().parse::<u8>() {
                Ok(p) if p <= 100 => Ok(Self::Percent(p)),
                _ => Err(bad()),
            },
            None => text.parse().map(Self::Count).map_err(|_| bad()),
        }
    }
}
