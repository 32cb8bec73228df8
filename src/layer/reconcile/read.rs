//! The reads of a reconciliation: the core's [`CreateSearch`] asks for pages, this sends them
//! and feeds the answers back, after a settle delay, once or twice.

use std::future::Future;
use std::time::SystemTime;

use bytes::Bytes;
use openai_invites_core::reconcile::{CreateSearch, Finding, Search as Page};
use openai_invites_core::{Invite, InviteListResponse, ListInvites, Operation};

use super::ReconcilePolicy;
use crate::BoxError;
use crate::failure::ResponseFacts;
use crate::layer::Deadline;
use crate::layer::context::CallContext;

/// What the search is told about the create it settles.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Search {
    /// When the call began.
    pub(crate) began: SystemTime,
    /// The service said the email already has a pending invite (and no earlier attempt of the
    /// call may have made one).
    pub(crate) refused_as_duplicate: bool,
    /// The service may still be at work (a timeout, a lost connection, a gateway's 408, 502,
    /// 503 or 504) or said it made the invite (a 2xx): a list without the invite is read
    /// again, after another settle delay, before concluding.
    pub(crate) confirm: bool,
    /// The service answered the create 2xx: a list that does not show the invite then means
    /// the list lags or misbehaves, not that the create did not happen.
    pub(crate) answered_success: bool,
}

/// How the search reads: `read` sends a page request through the layers below the retry
/// loop, with the retry policy's own retries; `again` says whether a page answered 2xx whose
/// body did not decode may be read once more (a retry the policy and its budget allow).
pub(crate) struct Reader<R, A> {
    pub(crate) read: R,
    pub(crate) again: A,
    /// What the reads carry: the call's deadline and secrets, their own count of attempts.
    pub(crate) context: Option<CallContext>,
}

/// Reads the invites for what the create (`uri` + `body`) may have made, after the settle
/// delay; `Err` says why the service could not tell.
pub(crate) async fn find_created<R, F, A>(
    (uri, body): (&http::Uri, &Bytes),
    search: Search,
    settings: &ReconcilePolicy,
    mut reader: Reader<R, A>,
) -> Result<Finding, String>
where
    R: FnMut(http::Request<Bytes>) -> F,
    F: Future<Output = Result<http::Response<Bytes>, BoxError>>,
    A: FnMut() -> bool,
{
    let deadline = reader
        .context
        .as_ref()
        .and_then(CallContext::deadline)
        .map(Deadline);
    let rounds = if search.confirm { 2 } else { 1 };
    for _ in 0..rounds {
        let delay = settings.settle_delay;
        // Too little time left to let the service settle: wait half of what is left, read, and
        // trust the read only if it finds the invite.
        let left = deadline.map(|d| d.remaining());
        let hurried = left.is_some_and(|left| left <= delay);
        tokio::time::sleep(match left {
            Some(left) if hurried => left / 2,
            _ => delay,
        })
        .await;
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
        let finding = loop {
            let page = reader.read_page(&pages).await?;
            if let Page::Done(finding) = pages.read(page) {
                break finding;
            }
        };
        match finding {
            Finding::Unsure(why) => return Err(why.to_owned()),
            Finding::NotCreated if hurried => {
                return Err(
                    "no time was left to let the service settle, and an early read \
                            did not show the invite"
                        .into(),
                );
            }
            Finding::NotCreated => continue,
            found => return Ok(found),
        }
    }
    if search.answered_success {
        // It said it made the invite, and its list does not show it: it lags, or misbehaves.
        // Sending again could invite twice.
        return Err("the service answered 2xx, but its list does not show the invite".into());
    }
    Ok(Finding::NotCreated)
}

impl<R, F, A> Reader<R, A>
where
    R: FnMut(http::Request<Bytes>) -> F,
    F: Future<Output = Result<http::Response<Bytes>, BoxError>>,
    A: FnMut() -> bool,
{
    /// The search's next page, or why it could not be read.
    async fn read_page(&mut self, pages: &CreateSearch) -> Result<InviteListResponse, String> {
        loop {
            let mut request = pages.next_read().map_err(|e| e.to_string())?;
            if let Some(context) = &self.context {
                request.extensions_mut().insert(context.clone());
            }
            let why = match (self.read)(request).await {
                Ok(response) if response.status().is_success() => {
                    match ListInvites::decode(response) {
                        Ok(page) => return Ok(page),
                        // A cut or mangled body: reading again is safe, and may pass.
                        Err(e) => e.to_string(),
                    }
                }
                Ok(mut response) => {
                    let answer = match ResponseFacts::of(&mut response) {
                        Some(facts) => answered(facts),
                        None => response.status().to_string(),
                    };
                    return Err(self.failed(&answer));
                }
                Err(error) => return Err(self.failed(&error.to_string())),
            };
            if !(self.again)() {
                return Err(self.failed(&why));
            }
        }
    }

    /// Why the read failed, with why the retry loop stopped reading.
    fn failed(&self, why: &str) -> String {
        let stop = self.context.as_ref().and_then(|c| c.notes().stop_reason);
        match stop {
            Some(stop) => format!("reading the invites failed: {why} (not retried: {stop})"),
            None => format!("reading the invites failed: {why}"),
        }
    }
}

/// `the service answered 429 Too Many Requests (insufficient_quota)`.
fn answered(facts: &ResponseFacts) -> String {
    match facts.api.code() {
        Some(code) => format!("the service answered {} ({code})", facts.api.status),
        None => format!("the service answered {}", facts.api.status),
    }
}

/// The answer a reconciled create returns: the invite, as the service would have sent it.
pub(crate) fn created_answer(invite: &Invite) -> Result<http::Response<Bytes>, BoxError> {
    let body = serde_json::to_vec(invite)?;
    Ok(http::Response::builder()
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(body))?)
}
