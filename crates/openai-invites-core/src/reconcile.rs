//! Settling an ambiguous outcome by reading the service's state, without I/O: the client
//! drives these steps through its stack.
//!
//! The service takes no idempotency key, so after a create whose outcome is unknown (a 5xx, a
//! timeout, a lost connection, a 2xx that does not decode) the only safe way to know whether
//! the invite exists is to read the invites. [`CreateSearch`] pages through them looking for
//! the request's email and says what it found; [`deleted_answer`] turns a retried delete's
//! 404 into the success an earlier attempt already had.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use openai_invites_core::reconcile::{CreateSearch, Finding, Search};
//! use openai_invites_core::{BaseUrl, InviteListResponse, InviteRequest, InviteRole, InviteUser, Operation};
//!
//! let create = InviteUser::new(InviteRequest::new("Ana@Example.com", InviteRole::Reader))
//!     .encode(&BaseUrl::default())?;
//! let began = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! let mut search = CreateSearch::for_request(&create, began, Duration::from_secs(60), 10)
//!     .expect("an inviteUser request");
//! assert_eq!(search.next_read()?.uri().query(), Some("limit=100"));
//!
//! let page: InviteListResponse = serde_json::from_str(r#"{"object":"list","data":[
//!     {"object":"organization.invite","id":"invite-1","email":"ana@example.com","role":"reader",
//!      "status":"pending","created_at":1700000001}],"has_more":false}"#)?;
//! let Search::Done(Finding::Created(invite)) = search.read(page) else { panic!() };
//! assert_eq!(invite.id, "invite-1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

pub use crate::operation::Reconciliation;
use crate::{
    BaseUrl, DeleteInvite, EncodeError, Invite, InviteDeleteResponse, InviteListResponse,
    InviteRequest, InviteStatus, InviteUser, ListInvites, Mismatch, Operation,
};

/// The page size of the reads.
const PAGE: u8 = crate::ops::MAX_LIMIT;

/// Looks for the invite an ambiguous `inviteUser` may have created.
///
/// The list order is not documented, so it reads every page (up to a bound) unless it finds
/// an invite for the email created at or after the call began: that one is the call's (or a
/// concurrent caller's for the same person), and it settles the question. An invite for the
/// email that was already pending before the call means the person was already invited;
/// accepted and expired invites from before the call are not the call's doing.
#[derive(Debug, Clone)]
pub struct CreateSearch {
    /// The role and projects asked for: an invite made since the call began with these is the
    /// call's, rather than a concurrent caller's for the same person.
    asked: InviteRequest,
    /// An invite made since the call began, with other terms: the call's only if no better
    /// match turns up.
    created_unlike: Option<Invite>,
    /// Unix seconds from which an invite counts as the call's: when it began, less the
    /// clock-skew margin.
    since: i64,
    base: BaseUrl,
    pages_left: u32,
    cursor: Option<String>,
    seen_cursors: HashSet<String>,
    pending_before: Option<Invite>,
    /// The service refused the create because the email already has a pending invite: any
    /// pending invite found is that one, whatever its timestamp.
    refused_as_duplicate: bool,
}

/// What one page told the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// Read the next page ([`CreateSearch::next_read`]).
    Continue,
    /// The search is over.
    Done(Finding),
}

/// What the search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// An invite for the email made at or after the call began: the create took effect.
    Created(Invite),
    /// No such invite, but one for the email was already pending before the call.
    AlreadyPending(Invite),
    /// No invite for the email made since the call began, and none pending: the create did
    /// not take effect, so sending it again is safe.
    NotCreated,
    /// The search could not tell (it hit its page bound, or the service repeated a cursor).
    Unsure(&'static str),
}

impl CreateSearch {
    /// A search for what `request` (an encoded `inviteUser`) may have created, for a call that
    /// began at `began`. Invites made up to `clock_skew` before it still count as the call's,
    /// since the service's clock is not the caller's. At most `max_pages` pages are read.
    /// `None` when the request is not an invite request.
    pub fn for_request(
        request: &http::Request<Bytes>,
        began: SystemTime,
        clock_skew: Duration,
        max_pages: u32,
    ) -> Option<Self> {
        Self::new(request.uri(), request.body(), began, clock_skew, max_pages)
    }

    /// [`for_request`](Self::for_request) from the request's URI and body.
    pub fn new(
        uri: &http::Uri,
        body: &[u8],
        began: SystemTime,
        clock_skew: Duration,
        max_pages: u32,
    ) -> Option<Self> {
        let asked: InviteRequest = serde_json::from_slice(body).ok()?;
        let base = base_of(uri)?;
        let began = began.duration_since(UNIX_EPOCH).ok()?.as_secs();
        let since = i64::try_from(began.saturating_sub(clock_skew.as_secs())).ok()?;
        Some(Self {
            asked,
            created_unlike: None,
            since,
            base,
            pages_left: max_pages,
            cursor: None,
            seen_cursors: HashSet::new(),
            pending_before: None,
            refused_as_duplicate: false,
        })
    }

    /// Says the service answered the create that the email already has a pending invite (a
    /// 409 `invite_already_exists`): it created nothing, so a pending invite found is the one
    /// from before, however recent (the clock-skew margin does not apply to it).
    pub fn refused_as_duplicate(mut self) -> Self {
        self.refused_as_duplicate = true;
        self
    }

    /// The next page to read.
    pub fn next_read(&self) -> Result<http::Request<Bytes>, EncodeError> {
        ListInvites {
            limit: Some(PAGE),
            after: self.cursor.clone(),
        }
        .encode(&self.base)
    }

    /// Takes in the page the last read returned.
    pub fn read(&mut self, page: InviteListResponse) -> Search {
        self.pages_left = self.pages_left.saturating_sub(1);
        for invite in &page.data {
            if !self.asked.is_for(&invite.email) {
                continue;
            }
            let pending = invite.status == InviteStatus::Pending;
            if self.refused_as_duplicate {
                if pending {
                    return Search::Done(Finding::AlreadyPending(invite.clone()));
                }
                continue;
            }
            if invite.created_at >= self.since {
                if !Mismatch::between(&self.asked, invite).any() {
                    return Search::Done(Finding::Created(invite.clone()));
                }
                self.created_unlike.get_or_insert_with(|| invite.clone());
                continue;
            }
            if pending && self.pending_before.is_none() {
                self.pending_before = Some(invite.clone());
            }
        }
        match page.next_cursor() {
            None => Search::Done(
                match (self.created_unlike.take(), self.pending_before.take()) {
                    (Some(invite), _) => Finding::Created(invite),
                    (None, Some(invite)) => Finding::AlreadyPending(invite),
                    (None, None) => Finding::NotCreated,
                },
            ),
            Some(cursor) if !self.seen_cursors.insert(cursor.to_owned()) => {
                Search::Done(Finding::Unsure("the service repeated a cursor"))
            }
            Some(_) if self.pages_left == 0 => Search::Done(Finding::Unsure(
                "the invites did not fit in the pages the search may read",
            )),
            Some(cursor) => {
                self.cursor = Some(cursor.to_owned());
                Search::Continue
            }
        }
    }
}

/// Whether a 2xx answer to `inviteUser` settles the call: its body is an invite.
pub fn create_settled(response: &http::Response<Bytes>) -> bool {
    response.status().is_success() && serde_json::from_slice::<Invite>(response.body()).is_ok()
}

/// The success a `deleteInvite` had when an earlier attempt took effect and a retry answered
/// 404: `{"object":"organization.invite.deleted","id":…,"deleted":true}` for the id in the
/// request's path (`uri`). `None` when the path names no invite.
pub fn deleted_answer(uri: &http::Uri) -> Option<http::Response<Bytes>> {
    let meta = DeleteInvite::META;
    // Below the base URL (whatever its path): as many segments as the template has.
    let path = uri.path();
    let depth = meta.url_template.matches('/').count();
    let (below, _) = path.rmatch_indices('/').nth(depth.checked_sub(1)?)?;
    let [id] = <[String; 1]>::try_from(meta.path_values(&path[below..])?).ok()?;
    let body = serde_json::to_vec(&InviteDeleteResponse { id, deleted: true }).ok()?;
    http::Response::builder()
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(body))
        .ok()
}

/// The base URL a create was encoded against: its URI up to the operation's path.
fn base_of(uri: &http::Uri) -> Option<BaseUrl> {
    let scheme = uri.scheme_str()?;
    let authority = uri.authority()?;
    let prefix = uri.path().strip_suffix(InviteUser::META.url_template)?;
    BaseUrl::parse(&format!("{scheme}://{authority}{prefix}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InviteRole;

    const BEGAN: u64 = 1_700_000_000;

    fn invite(id: &str, email: &str, status: &str, created_at: i64) -> serde_json::Value {
        serde_json::json!({"object":"organization.invite","id":id,"email":email,"role":"reader",
                           "status":status,"created_at":created_at})
    }

    fn page(data: Vec<serde_json::Value>, last: Option<&str>, more: bool) -> InviteListResponse {
        serde_json::from_value(serde_json::json!({"object":"list","data":data,
            "first_id":null,"last_id":last,"has_more":more}))
        .unwrap()
    }

    fn search(pages: u32) -> CreateSearch {
        let request = InviteUser::new(InviteRequest::new("ana@example.com", InviteRole::Reader))
            .encode(&BaseUrl::parse("http://127.0.0.1:9/v1").unwrap())
            .unwrap();
        let began = UNIX_EPOCH + Duration::from_secs(BEGAN);
        CreateSearch::for_request(&request, began, Duration::from_secs(60), pages).unwrap()
    }

    const NOW: i64 = BEGAN as i64;

    #[test]
    fn reads_the_same_base_url() {
        let read = search(3).next_read().unwrap();
        assert_eq!(
            read.uri(),
            "http://127.0.0.1:9/v1/organization/invites?limit=100"
        );
    }

    #[test]
    fn an_invite_made_since_the_call_began_is_the_calls_even_on_a_later_page() {
        let mut s = search(5);
        let first = page(
            vec![invite("invite-0", "bo@example.com", "pending", NOW)],
            Some("invite-0"),
            true,
        );
        assert_eq!(s.read(first), Search::Continue);
        assert!(
            s.next_read()
                .unwrap()
                .uri()
                .query()
                .unwrap()
                .ends_with("after=invite-0")
        );
        // Within the clock-skew margin, any case.
        let second = page(
            vec![invite("invite-9", "ANA@example.com", "pending", NOW - 30)],
            Some("invite-9"),
            true,
        );
        let Search::Done(Finding::Created(found)) = s.read(second) else {
            panic!("expected the call's invite")
        };
        assert_eq!(found.id, "invite-9");
    }

    #[test]
    fn an_older_pending_invite_means_already_invited_but_only_at_the_end() {
        let mut s = search(5);
        let older = invite("invite-old", "ana@example.com", "pending", NOW - 3600);
        assert_eq!(
            s.read(page(vec![older], Some("invite-old"), true)),
            Search::Continue
        );
        let Search::Done(Finding::AlreadyPending(found)) = s.read(page(vec![], None, false)) else {
            panic!("expected already pending")
        };
        assert_eq!(found.id, "invite-old");
    }

    #[test]
    fn a_refusal_as_duplicate_makes_a_recent_pending_invite_the_earlier_one() {
        let mut s = search(5).refused_as_duplicate();
        let recent = invite("invite-r", "ana@example.com", "pending", NOW + 5);
        let Search::Done(Finding::AlreadyPending(found)) = s.read(page(vec![recent], None, false))
        else {
            panic!("expected already pending")
        };
        assert_eq!(found.id, "invite-r");
    }

    #[test]
    fn an_invite_with_the_terms_asked_for_wins_over_a_concurrent_one() {
        let mut s = search(5);
        let owner = serde_json::json!({"object":"organization.invite","id":"invite-o",
            "email":"ana@example.com","role":"owner","status":"pending","created_at":NOW});
        let mine = invite("invite-m", "ana@example.com", "pending", NOW);
        assert_eq!(
            s.read(page(vec![owner], Some("invite-o"), true)),
            Search::Continue
        );
        let Search::Done(Finding::Created(found)) = s.read(page(vec![mine], None, false)) else {
            panic!("expected the call's invite")
        };
        assert_eq!(found.id, "invite-m");
        // With no better match, a recent invite with other terms is still the call's.
        let mut s = search(5);
        let owner = serde_json::json!({"object":"organization.invite","id":"invite-o",
            "email":"ana@example.com","role":"owner","status":"pending","created_at":NOW});
        let Search::Done(Finding::Created(found)) = s.read(page(vec![owner], None, false)) else {
            panic!("expected the recent invite")
        };
        assert_eq!(found.id, "invite-o");
    }

    #[test]
    fn expired_and_accepted_invites_from_before_do_not_count() {
        let mut s = search(5);
        let data = vec![
            invite("invite-a", "ana@example.com", "accepted", NOW - 9000),
            invite("invite-e", "ana@example.com", "expired", NOW - 9000),
        ];
        assert_eq!(
            s.read(page(data, None, false)),
            Search::Done(Finding::NotCreated)
        );
    }

    #[test]
    fn the_bound_and_a_repeated_cursor_leave_it_unsure() {
        let other = || vec![invite("invite-1", "bo@example.com", "pending", NOW)];
        let mut s = search(1);
        assert!(matches!(
            s.read(page(other(), Some("invite-1"), true)),
            Search::Done(Finding::Unsure(_))
        ));
        let mut s = search(5);
        assert_eq!(
            s.read(page(other(), Some("invite-1"), true)),
            Search::Continue
        );
        assert!(matches!(
            s.read(page(other(), Some("invite-1"), true)),
            Search::Done(Finding::Unsure(_))
        ));
    }

    #[test]
    fn a_deleted_answer_names_the_invite() {
        let request = crate::DeleteInvite::new("invite/1")
            .encode(&BaseUrl::default())
            .unwrap();
        let answer = deleted_answer(request.uri()).unwrap();
        let body: InviteDeleteResponse = serde_json::from_slice(answer.body()).unwrap();
        assert_eq!((body.id.as_str(), body.deleted), ("invite/1", true));
        // Read with the operation's template, below any base path; a path that is not a
        // delete's names no invite.
        let proxied = BaseUrl::parse("https://gateway.example/openai/v1").unwrap();
        let request = crate::DeleteInvite::new("invite-2")
            .encode(&proxied)
            .unwrap();
        let answer = deleted_answer(request.uri()).unwrap();
        let body: InviteDeleteResponse = serde_json::from_slice(answer.body()).unwrap();
        assert_eq!(body.id, "invite-2");
        for uri in ["https://api.openai.com/v1/organization/invites/", "/x", "/"] {
            assert!(deleted_answer(&uri.parse().unwrap()).is_none(), "{uri}");
        }
    }

    #[test]
    fn a_create_is_settled_only_by_an_invite() {
        let ok = http::Response::new(Bytes::from(
            invite("invite-1", "a@b.c", "pending", 1).to_string(),
        ));
        assert!(create_settled(&ok));
        let cut = http::Response::new(Bytes::from_static(b"{\"object\":\"organization.inv"));
        assert!(!create_settled(&cut));
    }
}
