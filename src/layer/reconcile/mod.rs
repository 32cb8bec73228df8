//! Reconciliation: after an ambiguous `inviteUser`, read the invites to find out whether the
//! create took effect, instead of guessing. Not a layer of its own: the retry loop
//! ([`retry`](super::retry)) asks for it when its policy says
//! [`Action::Reconcile`](super::retry::Action::Reconcile), and acts on what it found. The
//! search itself is the core crate's, without I/O ([`openai_invites_core::reconcile`]); this
//! module drives its reads through the layers below the retry loop, so they are rate-limited,
//! authenticated, traced and retried like any call.
//!
//! ```
//! use std::time::Duration;
//! use openai_invites::Client;
//!
//! // Let a service whose list lags its writes catch up for 3 s before reading.
//! let client = Client::builder()
//!     .admin_key("sk-admin-example")
//!     .reconcile_settle_delay(Duration::from_secs(3))
//!     .build()?;
//! # let _ = client;
//! # Ok::<(), openai_invites::BuildError>(())
//! ```

mod read;

use std::time::Duration;

use openai_invites_core::{ApiError, Invite};

use crate::defaults;

pub(crate) use read::{Reader, Search, created_answer, find_created};

/// How the client settles ambiguous creates and deletes.
///
/// | setting | default |
/// |---|---|
/// | `enabled` | `true` |
/// | `settle_delay` | [`defaults::SETTLE_DELAY`]: how long to let the service's list catch up with its writes |
/// | `max_pages` | [`defaults::RECONCILE_MAX_PAGES`] pages of 100 invites; past that the outcome stays unknown |
/// | `clock_skew` | [`defaults::CLOCK_SKEW`]: an invite made this long before the call began still counts as the call's |
#[derive(Debug, Clone)]
pub struct ReconcilePolicy {
    /// Whether to reconcile at all.
    pub enabled: bool,
    /// The wait before reading, so that a list that lags the service's writes shows the
    /// invite.
    pub settle_delay: Duration,
    /// The most pages a search reads.
    pub max_pages: u32,
    /// How far the service's clock may be behind the caller's.
    pub clock_skew: Duration,
}

impl Default for ReconcilePolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            settle_delay: defaults::SETTLE_DELAY,
            max_pages: defaults::RECONCILE_MAX_PAGES,
            clock_skew: defaults::CLOCK_SKEW,
        }
    }
}

/// What the client found when it settled an ambiguous outcome by reading the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reconciled {
    /// The create took effect: the call returned the invite for the email made since it began
    /// (with the role and projects it asked for, when one has them; within the clock-skew
    /// margin, it may be a concurrent caller's for the same person).
    Created,
    /// An invite for the email was already pending before the call: nothing was created.
    AlreadyPending,
    /// The create did not take effect: it was sent again if retries allowed, else the error
    /// says so.
    NotCreated,
    /// An earlier attempt of the delete took effect: the retry's 404 means it is done.
    Deleted,
    /// The outcome stays unknown: the service could not be read, the search hit its bound, or
    /// the service had answered the create 2xx and its list does not show the invite.
    Failed,
}

impl Reconciled {
    /// A short name, for events and metrics: `created`, `already_pending`, `not_created`,
    /// `deleted`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::AlreadyPending => "already_pending",
            Self::NotCreated => "not_created",
            Self::Deleted => "deleted",
            Self::Failed => "failed",
        }
    }
}

/// An invite for the email was already pending before the call: the client did not create a
/// second one. Carries that invite.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} already has a pending invite ({}), so none was created", .invite.email, .invite.id)]
pub struct AlreadyInvited {
    /// The invite that was already pending.
    pub invite: Invite,
    /// The service's own answer to the create, when it gave one (a 409, say).
    pub(crate) answer: Option<ApiError>,
}
