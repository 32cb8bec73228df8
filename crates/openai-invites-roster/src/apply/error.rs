//! Why an apply did not start.

use crate::limit::MaxRevoke;

/// Why an apply did not start (nothing was changed), or could not read the service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The invites could not be read.
    #[error("the invites could not be read: {0}")]
    Snapshot(#[source] openai_invites::Error),
    /// The invites a saved plan was made from changed since.
    #[error(
        "the saved plan is stale: the invites of {} changed since it was made; plan again",
        list(emails)
    )]
    Stale {
        /// The emails whose invites changed.
        emails: Vec<String>,
    },
    /// More revocations than allowed.
    #[error(
        "the plan revokes {revocations} pending invites, more than the {limit} allowed \
         (max_revoke {max} of {pending} pending): nothing was changed"
    )]
    TooManyRevocations {
        /// How many the plan makes.
        revocations: usize,
        /// How many are allowed.
        limit: usize,
        /// The setting.
        max: MaxRevoke,
        /// How many invites are pending.
        pending: usize,
    },
}

fn list(emails: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = emails
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if emails.len() > SHOWN {
        text.push_str(&format!(" and {} more", emails.len() - SHOWN));
    }
    text
}
