//! Reconciliation: after an ambiguous `inviteUser`, read the invites to find out whether the
//! create took effect, instead of guessing. The decisions are the core crate's
//! ([`openai_invites_core::reconcile`]); this drives its reads through the layers below the
//! retry loop, so they are rate-limited, authenticated and traced like any attempt.

use std::future::poll_fn;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use openai_invites_core::reconcile::{CreateSearch, Finding, Search};
use openai_invites_core::{Invite, ListInvites, Operation};
use tower_service::Service;

use crate::BoxError;
use crate::layer::Deadline;
use crate::layer::context::CallContext;

/// How the client settles ambiguous creates and deletes.
///
/// | setting | default |
/// |---|---|
/// | `enabled` | `true` |
/// | `settle_delay` | 1 s: how long to let the service's list catch up with its writes |
/// | `max_pages` | 100 pages of 100 invites; past that the outcome stays unknown |
/// | `clock_skew` | 60 s: an invite made this long before the call began still counts as the call's |
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
            settle_delay: Duration::from_secs(1),
            max_pages: 100,
            clock_skew: Duration::from_secs(60),
        }
    }
}

/// What the client found when it settled an ambiguous outcome by reading the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reconciled {
    /// The create took effect: the call returned the invite it made.
    Created,
    /// An invite for the email was already pending before the call: nothing was created.
    AlreadyPending,
    /// The create did not take effect: it was sent again if retries allowed, else the error
    /// says so.
    NotCreated,
    /// An earlier attempt of the delete took effect: the retry's 404 means it is done.
    Deleted,
    /// The service could not be read (or the search hit its bound): the outcome is unknown.
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
    pub(crate) answer: Option<crate::failure::ResponseFacts>,
}

/// Reads the invites for what the create in `uri` + `body` may have made, after the settle
/// delay (`refused_as_duplicate`: the service said the email already has a pending invite);
/// `Err` says why the service could not tell.
pub(super) async fn find_created<S>(
    mut below: S,
    search: (&http::Uri, &Bytes, SystemTime, bool),
    policy: &ReconcilePolicy,
    context: Option<&CallContext>,
) -> Result<Finding, String>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    let (uri, body, began, refused_as_duplicate) = search;
    let mut search = CreateSearch::new(uri, body, began, policy.clock_skew, policy.max_pages)
        .ok_or("the request is not an invite request")?;
    if refused_as_duplicate {
        search = search.refused_as_duplicate();
    }
    let deadline = context.and_then(CallContext::deadline).map(Deadline);
    if deadline.is_some_and(|d| d.remaining() <= policy.settle_delay) {
        return Err("no time was left to let the service settle before reading".into());
    }
    tokio::time::sleep(policy.settle_delay).await;
    // The reads are attempts of their own: they count apart from the create's, under the same
    // deadline.
    let reads = context.map(CallContext::for_reads);
    loop {
        let mut request = search.next_read().map_err(|e| e.to_string())?;
        if let Some(reads) = &reads {
            request.extensions_mut().insert(reads.clone());
        }
        poll_fn(|cx| below.poll_ready(cx))
            .await
            .map_err(|e| format!("reading the invites failed: {}", e.into()))?;
        let response = below
            .call(request)
            .await
            .map_err(|e| format!("reading the invites failed: {}", e.into()))?;
        if !response.status().is_success() {
            return Err(format!(
                "reading the invites failed: the service answered {}",
                response.status()
            ));
        }
        let page = ListInvites::decode(response)
            .map_err(|e| format!("reading the invites failed: {e}"))?;
        match search.read(page) {
            Search::Continue => continue,
            Search::Done(Finding::Unsure(why)) => return Err(why.to_owned()),
            Search::Done(finding) => return Ok(finding),
        }
    }
}

/// The answer a reconciled create returns: the invite, as the service would have sent it.
pub(super) fn created_answer(invite: &Invite) -> Result<http::Response<Bytes>, BoxError> {
    let body = serde_json::to_vec(invite)?;
    Ok(http::Response::builder()
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(body))?)
}
