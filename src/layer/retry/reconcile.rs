//! Reconciliation: after an ambiguous `inviteUser`, read the invites to find out whether the
//! create took effect, instead of guessing. The decisions are the core crate's
//! ([`openai_invites_core::reconcile`]); this drives its reads through the layers below the
//! retry loop, so they are rate-limited, authenticated and traced like any attempt.

use std::future::poll_fn;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use openai_invites_core::reconcile::{CreateSearch, Finding, Search as Page};
use openai_invites_core::{Invite, ListInvites, Operation};
use tower_service::Service;

use super::RetryPolicy;
use crate::BoxError;
use crate::failure::{Failure, ResponseFacts};
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
    pub(crate) answer: Option<crate::failure::ResponseFacts>,
}

/// How a reconciliation reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct Search {
    /// When the call began.
    pub(super) began: SystemTime,
    /// The service said the email already has a pending invite (and no earlier attempt of the
    /// call may have made one).
    pub(super) refused_as_duplicate: bool,
    /// Read again, after another settle delay, before concluding "not created".
    pub(super) confirm: bool,
}

/// Reads the invites for what the create (`uri` + `body`) may have made, after the settle
/// delay; `Err` says why the service could not be read (`Finding::Unsure`, why what it read
/// does not settle it).
pub(super) async fn find_created<S>(
    mut below: S,
    (uri, body): (&http::Uri, &Bytes),
    search: Search,
    policy: &RetryPolicy,
    context: Option<&CallContext>,
) -> Result<Finding, String>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    let settings = &policy.reconcile;
    let deadline = context.and_then(CallContext::deadline).map(Deadline);
    // The reads are attempts of their own: they count apart from the create's, under the same
    // deadline.
    let reads = context.map(CallContext::for_reads);
    let rounds = if search.confirm { 2 } else { 1 };
    let mut finding = Finding::NotCreated;
    for _ in 0..rounds {
        wait(
            settings.settle_delay,
            deadline,
            "let the service settle before reading",
        )
        .await?;
        let mut pages = CreateSearch::new(
            uri,
            body,
            search.began,
            settings.clock_skew,
            settings.max_pages,
        )
        .ok_or("the request is not an invite request")?;
        if search.refused_as_duplicate {
            pages = pages.refused_as_duplicate();
        }
        let reader = Reader {
            policy,
            deadline,
            reads: reads.as_ref(),
        };
        finding = reader.read_all(&mut below, &mut pages).await?;
        if finding != Finding::NotCreated {
            break;
        }
    }
    Ok(finding)
}

/// Sleeps `delay`, unless it would pass the deadline.
async fn wait(delay: Duration, deadline: Option<Deadline>, what: &str) -> Result<(), String> {
    if deadline.is_some_and(|d| d.remaining() <= delay) {
        return Err(format!("no time was left to {what}"));
    }
    tokio::time::sleep(delay).await;
    Ok(())
}

/// What the reads of one search share.
struct Reader<'a> {
    policy: &'a RetryPolicy,
    deadline: Option<Deadline>,
    /// The context the reads carry (their own count of attempts).
    reads: Option<&'a CallContext>,
}

impl Reader<'_> {
    /// Reads pages until the search is done.
    async fn read_all<S>(&self, below: &mut S, pages: &mut CreateSearch) -> Result<Finding, String>
    where
        S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
        S::Error: Into<BoxError>,
    {
        loop {
            let page = self.read_page(below, pages).await?;
            match pages.read(page) {
                Page::Continue => continue,
                Page::Done(finding) => return Ok(finding),
            }
        }
    }

    /// The search's next page. One that fails in a way a retry may fix (not sent, rate
    /// limited, a 5xx...) is read again after the settle delay, twice at most; each time is a
    /// retry the shared budget must allow, so an outage is not met with a storm of reads.
    async fn read_page<S>(
        &self,
        below: &mut S,
        pages: &mut CreateSearch,
    ) -> Result<openai_invites_core::InviteListResponse, String>
    where
        S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
        S::Error: Into<BoxError>,
    {
        const TRIES: usize = 3;
        let mut tried = 1;
        loop {
            let mut request = pages.next_read().map_err(|e| e.to_string())?;
            if let Some(reads) = self.reads {
                request.extensions_mut().insert(reads.clone());
            }
            let (why, transient) = match read(below, request).await {
                Ok(page) => return Ok(page),
                Err(failed) => failed,
            };
            let why = format!("reading the invites failed: {why}");
            if !transient || tried == TRIES {
                return Err(why);
            }
            if !self.policy.budget.withdraw() {
                return Err(format!("{why} (the retry budget allows no more reads)"));
            }
            wait(
                self.policy.reconcile.settle_delay,
                self.deadline,
                "read the invites again",
            )
            .await
            .map_err(|_| why)?;
            tried += 1;
        }
    }
}

/// One page; on failure, why, and whether a retry may fix it.
async fn read<S>(
    below: &mut S,
    request: http::Request<Bytes>,
) -> Result<openai_invites_core::InviteListResponse, (String, bool)>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>>,
    S::Error: Into<BoxError>,
{
    let answered = async {
        poll_fn(|cx| below.poll_ready(cx)).await?;
        below.call(request).await
    };
    let mut response = match answered.await {
        Ok(response) => response,
        Err(error) => {
            let error: BoxError = error.into();
            let transient = Failure::of_error(&error, true).may_pass();
            return Err((error.to_string(), transient));
        }
    };
    if let Some(facts) = ResponseFacts::of(&mut response) {
        let transient = facts.failure.may_pass();
        return Err((
            format!("the service answered {}", facts.api.status),
            transient,
        ));
    }
    ListInvites::decode(response).map_err(|e| (e.to_string(), false))
}

/// The answer a reconciled create returns: the invite, as the service would have sent it.
pub(super) fn created_answer(invite: &Invite) -> Result<http::Response<Bytes>, BoxError> {
    let body = serde_json::to_vec(invite)?;
    Ok(http::Response::builder()
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(body))?)
}
