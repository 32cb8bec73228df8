//! The invites themselves: ids, ordering, cursors, status over time, caps.
//!
//! A plain data structure with no locking, and no clock of its own for the invites' times:
//! callers pass `now` (unix seconds), which keeps every rule here testable in isolation. The
//! list-lag mode alone reads tokio's clock (which paused-time tests drive) to hold a new
//! invite out of lists for a while.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use openai_invites_core::{Invite, InviteProject, InviteRequest, InviteStatus, ProjectRole};

/// How long an invite stays pending: 7 days (our choice; the real service's is not public).
pub const INVITE_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;

/// Length of the random part of an invite id.
const ID_RANDOM_LEN: usize = 24;

/// Why a create was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CreateRefusal {
    /// A pending invite for the same address (case-insensitive) exists: its id.
    Duplicate(String),
    /// The store holds its maximum number of invites.
    Full(usize),
}

/// Why a delete was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteRefusal {
    NotFound,
    Accepted,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) data: Vec<Invite>,
    pub(crate) has_more: bool,
}

/// The `after` cursor names no invite this store ever issued (or remembers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownCursor;

/// Invites in creation order, newest last; listings walk it backwards.
#[derive(Debug)]
pub(crate) struct Store {
    by_seq: BTreeMap<u64, Invite>,
    by_id: HashMap<String, u64>,
    /// Deleted ids keep their position so a cursor naming one still works (delete-while-paging
    /// loops); bounded, oldest forgotten first.
    tombstones: HashMap<String, u64>,
    tombstone_order: VecDeque<String>,
    next_seq: u64,
    max_invites: usize,
    default_project: String,
    /// A second pending invite for an address is accepted (a service that does not refuse
    /// duplicates).
    allow_duplicates: bool,
    /// How long a new invite stays out of listings (a list that lags the writes), with when
    /// each invite was made, on tokio's clock.
    list_lag: Duration,
    made: HashMap<u64, Instant>,
}

impl Store {
    pub(crate) fn new(max_invites: usize, default_project: String) -> Self {
        Self {
            by_seq: BTreeMap::new(),
            by_id: HashMap::new(),
            tombstones: HashMap::new(),
            tombstone_order: VecDeque::new(),
            next_seq: 0,
            max_invites,
            default_project,
            allow_duplicates: false,
            list_lag: Duration::ZERO,
            made: HashMap::new(),
        }
    }

    /// Accepts a second pending invite for an address instead of refusing it.
    pub(crate) fn allow_duplicates(&mut self, allow: bool) {
        self.allow_duplicates = allow;
    }

    /// Keeps each new invite out of listings for `lag` after it is made.
    pub(crate) fn list_lag(&mut self, lag: Duration) {
        self.list_lag = lag;
    }

    /// Creates an invite as `POST` does: refuses a duplicate pending address and a full store.
    pub(crate) fn create(
        &mut self,
        request: InviteRequest,
        now: i64,
    ) -> Result<Invite, CreateRefusal> {
        if self.by_seq.len() >= self.max_invites {
            return Err(CreateRefusal::Full(self.max_invites));
        }
        let duplicate = if self.allow_duplicates {
            None
        } else {
            self.by_seq.values().find(|i| {
                effective_status(i, now) == InviteStatus::Pending && request.is_for(&i.email)
            })
        };
        if let Some(existing) = duplicate {
            return Err(CreateRefusal::Duplicate(existing.id.clone()));
        }
        Ok(self.insert(request, now))
    }

    /// Creates an invite with no checks at all (the seeding hook).
    pub(crate) fn insert(&mut self, request: InviteRequest, now: i64) -> Invite {
        let projects = match request.projects {
            None => vec![InviteProject::new(
                self.default_project.clone(),
                ProjectRole::Member,
            )],
            Some(list) => list,
        };
        let invite = Invite {
            id: self.fresh_id(),
            email: request.email,
            role: request.role,
            status: InviteStatus::Pending,
            created_at: now,
            expires_at: Some(now.saturating_add(INVITE_LIFETIME_SECS)),
            accepted_at: None,
            projects,
        };
        self.insert_invite(invite.clone());
        invite
    }

    /// Stores a whole invite as the newest (a seed); the caller made sure its id is free.
    /// A deleted id comes back to life at the new position.
    pub(crate) fn insert_invite(&mut self, invite: Invite) {
        if self.tombstones.remove(&invite.id).is_some() {
            self.tombstone_order.retain(|id| *id != invite.id);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_id.insert(invite.id.clone(), seq);
        self.by_seq.insert(seq, invite);
        if !self.list_lag.is_zero() {
            self.made.insert(seq, Instant::now());
        }
    }

    /// Whether a live invite has this id.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The project an invite joins when its request omits `projects`.
    pub(crate) fn default_project(&self) -> &str {
        &self.default_project
    }

    pub(crate) fn fresh_id(&self) -> String {
        loop {
            let mut id = String::from("invite-");
            id.extend(std::iter::repeat_with(fastrand::alphanumeric).take(ID_RANDOM_LEN));
            if !self.by_id.contains_key(&id) && !self.tombstones.contains_key(&id) {
                return id;
            }
        }
    }

    pub(crate) fn get(&self, id: &str, now: i64) -> Option<Invite> {
        let seq = self.by_id.get(id)?;
        self.by_seq.get(seq).map(|i| view(i, now))
    }

    /// Newest first, after the cursor's position.
    pub(crate) fn list(
        &self,
        after: Option<&str>,
        limit: usize,
        now: i64,
    ) -> Result<Page, UnknownCursor> {
        let end = match after {
            None => u64::MAX,
            Some(id) => *self
                .by_id
                .get(id)
                .or_else(|| self.tombstones.get(id))
                .ok_or(UnknownCursor)?,
        };
        let shown = |seq: &u64| {
            self.made
                .get(seq)
                .is_none_or(|made| made.elapsed() >= self.list_lag)
        };
        let mut older = self.by_seq.range(..end).rev().filter(|(seq, _)| shown(seq));
        let data: Vec<Invite> = older
            .by_ref()
            .take(limit)
            .map(|(_, i)| view(i, now))
            .collect();
        let has_more = older.next().is_some();
        Ok(Page { data, has_more })
    }

    pub(crate) fn delete(&mut self, id: &str, now: i64) -> Result<(), DeleteRefusal> {
        let seq = *self.by_id.get(id).ok_or(DeleteRefusal::NotFound)?;
        let accepted = self
            .by_seq
            .get(&seq)
            .is_some_and(|i| effective_status(i, now) == InviteStatus::Accepted);
        if accepted {
            return Err(DeleteRefusal::Accepted);
        }
        self.by_id.remove(id);
        self.by_seq.remove(&seq);
        self.made.remove(&seq);
        self.remember_deleted(id, seq);
        Ok(())
    }

    fn remember_deleted(&mut self, id: &str, seq: u64) {
        let cap = self.max_invites.max(1);
        while self.tombstone_order.len() >= cap {
            if let Some(old) = self.tombstone_order.pop_front() {
                self.tombstones.remove(&old);
            }
        }
        self.tombstones.insert(id.to_owned(), seq);
        self.tombstone_order.push_back(id.to_owned());
    }

    /// Marks an invite accepted now, whatever its state; `false` for an unknown id.
    pub(crate) fn accept(&mut self, id: &str, now: i64) -> bool {
        self.update(id, |invite| {
            invite.status = InviteStatus::Accepted;
            invite.accepted_at = Some(now);
        })
    }

    /// Marks an invite expired now; `false` for an unknown id.
    pub(crate) fn expire(&mut self, id: &str, now: i64) -> bool {
        self.update(id, |invite| {
            invite.status = InviteStatus::Expired;
            invite.accepted_at = None;
            invite.expires_at = Some(invite.expires_at.map_or(now, |at| at.min(now)));
        })
    }

    fn update(&mut self, id: &str, change: impl FnOnce(&mut Invite)) -> bool {
        let Some(seq) = self.by_id.get(id) else {
            return false;
        };
        match self.by_seq.get_mut(seq) {
            Some(invite) => {
                change(invite);
                true
            }
            None => false,
        }
    }

    /// Every invite, newest first.
    pub(crate) fn all(&self, now: i64) -> Vec<Invite> {
        self.by_seq.values().rev().map(|i| view(i, now)).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.by_seq.len()
    }

    pub(crate) fn clear(&mut self) {
        self.by_seq.clear();
        self.by_id.clear();
        self.tombstones.clear();
        self.tombstone_order.clear();
    }
}

/// A pending invite whose `expires_at` has passed reads as expired.
fn effective_status(invite: &Invite, now: i64) -> InviteStatus {
    match (&invite.status, invite.expires_at) {
        (InviteStatus::Pending, Some(at)) if now >= at => InviteStatus::Expired,
        (status, _) => status.clone(),
    }
}

fn view(invite: &Invite, now: i64) -> Invite {
    let mut out = invite.clone();
    out.status = effective_status(invite, now);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use openai_invites_core::InviteRole;

    fn req(email: &str) -> InviteRequest {
        InviteRequest::new(email, InviteRole::Reader)
    }

    fn store() -> Store {
        Store::new(100, "proj_default".into())
    }

    #[test]
    fn ids_look_real_and_differ() {
        let mut s = store();
        let a = s.insert(req("a@x.io"), 0);
        let b = s.insert(req("b@x.io"), 0);
        assert_ne!(a.id, b.id);
        let tail = a.id.strip_prefix("invite-").unwrap();
        assert_eq!(tail.len(), ID_RANDOM_LEN);
        assert!(tail.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn three_project_states() {
        let mut s = store();
        let default = s.insert(req("a@x.io"), 0);
        assert_eq!(
            default.projects,
            vec![InviteProject::new("proj_default", ProjectRole::Member)]
        );
        let none = s.insert(req("b@x.io").without_projects(), 0);
        assert!(none.projects.is_empty());
        let some = s.insert(req("c@x.io").with_project("p1", ProjectRole::Owner), 0);
        assert_eq!(
            some.projects,
            vec![InviteProject::new("p1", ProjectRole::Owner)]
        );
    }

    #[test]
    fn expiry_follows_now() {
        let mut s = store();
        let i = s.insert(req("a@x.io"), 100);
        assert_eq!(i.expires_at, Some(100 + INVITE_LIFETIME_SECS));
        assert_eq!(
            s.get(&i.id, 100 + INVITE_LIFETIME_SECS - 1).unwrap().status,
            InviteStatus::Pending
        );
        assert_eq!(
            s.get(&i.id, 100 + INVITE_LIFETIME_SECS).unwrap().status,
            InviteStatus::Expired
        );
        // An expired invite no longer blocks a new one for the same address.
        assert!(s.create(req("A@X.io"), 100 + INVITE_LIFETIME_SECS).is_ok());
    }

    #[test]
    fn duplicates_and_cap() {
        let mut s = Store::new(2, "p".into());
        let first = s.create(req("Ana@Example.com"), 0).unwrap();
        assert_eq!(
            s.create(req("ana@example.COM"), 0),
            Err(CreateRefusal::Duplicate(first.id.clone()))
        );
        assert!(s.accept(&first.id, 1));
        s.create(req("ana@example.com"), 1).unwrap();
        assert_eq!(
            s.create(req("z@example.com"), 1),
            Err(CreateRefusal::Full(2))
        );
    }

    #[test]
    fn delete_rules_and_tombstone_cursor() {
        let mut s = store();
        let ids: Vec<String> = (0..4)
            .map(|n| s.insert(req(&format!("{n}@x.io")), 0).id)
            .collect();
        // Newest first: ids[3], ids[2], ids[1], ids[0].
        let page = s.list(None, 2, 0).unwrap();
        assert_eq!(
            page.data.iter().map(|i| &i.id).collect::<Vec<_>>(),
            [&ids[3], &ids[2]]
        );
        assert!(page.has_more);
        s.delete(&ids[2], 0).unwrap();
        let next = s.list(Some(&ids[2]), 2, 0).unwrap();
        assert_eq!(
            next.data.iter().map(|i| &i.id).collect::<Vec<_>>(),
            [&ids[1], &ids[0]]
        );
        assert!(!next.has_more);
        assert_eq!(s.list(Some("invite-nope"), 2, 0), Err(UnknownCursor));
        assert_eq!(s.delete(&ids[2], 0), Err(DeleteRefusal::NotFound));
        assert!(s.accept(&ids[1], 0));
        assert_eq!(s.delete(&ids[1], 0), Err(DeleteRefusal::Accepted));
        assert!(s.expire(&ids[0], 5));
        assert_eq!(s.get(&ids[0], 0).unwrap().status, InviteStatus::Expired);
        assert_eq!(s.len(), 3);
        s.clear();
        assert!(s.all(0).is_empty());
    }
}
