//! `FakeInvites`: the handle over the fake's state, faults and request log.
//!
//! Both faces (the in-process service and the loopback server) and the test hooks share one
//! `Arc`, so a test can script a fault, drive a client over either face, and then inspect the
//! store and the log through the same handle.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use openai_invites_core::{Invite, InviteRequest};
use tokio::time::Instant;

use crate::clock::{Clock, unix_seconds};
use crate::fault::{Fault, FaultQueue};
use crate::log::{RecordedRequest, RequestLog};
use crate::quota::{Quota, RequestQuota};
use crate::secrets::Secrets;
use crate::store::Store;
use crate::{ControlError, FakeInvitesBuilder, FakeServer, FakeService, Seed};

/// The admin key a default fake accepts.
pub const DEFAULT_ADMIN_KEY: &str = "sk-admin-test";
/// The project an invite joins when its request omits `projects`.
pub const DEFAULT_PROJECT: &str = "proj_default";
/// Default cap on the number of invites the store holds.
pub const DEFAULT_MAX_INVITES: usize = 10_000;
/// Default cap on a request body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Everything the faces share.
pub(crate) struct Inner {
    pub(crate) admin_key: String,
    /// What the control API requires in `x-fake-control-token`, if anything.
    pub(crate) control_token: Option<String>,
    /// The admin key and the control token, scrubbed from everything shown or kept.
    pub(crate) secrets: Secrets,
    pub(crate) max_body_bytes: usize,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) store: Mutex<Store>,
    pub(crate) quota: Mutex<Option<Quota>>,
    pub(crate) faults: Mutex<FaultQueue>,
    pub(crate) log: Mutex<RequestLog>,
    /// What [`FakeInvites::reset`] goes back to.
    pub(crate) initial_quota: Option<RequestQuota>,
    pub(crate) initial_seed: Seed,
    /// When the fake was built, on tokio's clock (the log's `at_ms` counts from here).
    pub(crate) started: Instant,
}

impl Inner {
    pub(crate) fn now(&self) -> i64 {
        unix_seconds(self.clock.now())
    }

    /// Seeds every invite or none: a chosen id already in use refuses the whole seed.
    pub(crate) fn seed(&self, seed: &Seed) -> Result<Vec<Invite>, ControlError> {
        let now = self.now();
        let mut store = lock(&self.store);
        let chosen: HashSet<&str> = seed
            .invites()
            .iter()
            .filter_map(|s| s.chosen_id())
            .collect();
        if let Some(taken) = chosen.iter().find(|id| store.contains(id)) {
            return Err(ControlError::DuplicateId((*taken).to_owned()));
        }
        let mut seeded = Vec::with_capacity(seed.len());
        for invite in seed.invites() {
            let id = match invite.chosen_id() {
                Some(id) => id.to_owned(),
                None => loop {
                    let id = store.fresh_id();
                    if !chosen.contains(&id.as_str()) {
                        break id;
                    }
                },
            };
            let invite = invite.to_invite(id, now, store.default_project());
            store.insert_invite(invite.clone());
            seeded.push(store.get(&invite.id, now).unwrap_or(invite));
        }
        Ok(seeded)
    }

    pub(crate) fn reset(&self) {
        lock(&self.store).clear();
        lock(&self.faults).clear();
        lock(&self.log).clear();
        *lock(&self.quota) = self.initial_quota.map(Quota::new);
        // A checked seed cannot clash with an empty store.
        let _ = self.seed(&self.initial_seed);
    }
}

/// A panicking test thread must not wedge every other test that shares the fake: the data
/// behind a poisoned lock is still consistent (no hook panics half way through a change).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A stateful fake of the invites API; cheap to clone, every clone sees the same state.
///
/// ```
/// use openai_invites_core::{InviteRequest, InviteRole, InviteStatus};
/// use openai_invites_mock::FakeInvites;
///
/// let fake = FakeInvites::new();
/// let invite = fake.seed(InviteRequest::new("ana@example.com", InviteRole::Reader));
/// assert!(fake.accept(&invite.id));
/// assert_eq!(fake.get(&invite.id).unwrap().status, InviteStatus::Accepted);
/// assert_eq!(fake.request_count(), 0); // hooks are not requests
/// ```
#[derive(Clone)]
pub struct FakeInvites {
    pub(crate) inner: Arc<Inner>,
}

impl FakeInvites {
    /// A fake with the defaults: key [`DEFAULT_ADMIN_KEY`], the system clock, no quota.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Configures key, clock, quota, caps, seed, control token and default project.
    pub fn builder() -> FakeInvitesBuilder {
        FakeInvitesBuilder::default()
    }

    /// The in-process face: a `tower::Service` to use as a client's transport.
    pub fn service(&self) -> FakeService {
        FakeService::new(self.inner.clone())
    }

    /// Starts the loopback face on `127.0.0.1` with a free port.
    pub async fn start_server(&self) -> std::io::Result<FakeServer> {
        FakeServer::serve(self.clone()).await
    }

    /// The admin key requests must carry as `Authorization: Bearer <key>`.
    pub fn admin_key(&self) -> &str {
        &self.inner.admin_key
    }

    /// Marks an invite accepted now (whatever its state); `false` if the id is unknown.
    pub fn accept(&self, id: &str) -> bool {
        let now = self.inner.now();
        lock(&self.inner.store).accept(id, now)
    }

    /// Marks an invite expired now; `false` if the id is unknown.
    pub fn expire(&self, id: &str) -> bool {
        let now = self.inner.now();
        lock(&self.inner.store).expire(id, now)
    }

    /// Creates an invite directly: no validation, no duplicate check, no cap, not logged.
    pub fn seed(&self, request: InviteRequest) -> Invite {
        let now = self.inner.now();
        lock(&self.inner.store).insert(request, now)
    }

    /// Every invite, newest first, with its status as of now.
    pub fn invites(&self) -> Vec<Invite> {
        let now = self.inner.now();
        lock(&self.inner.store).all(now)
    }

    /// One invite, with its status as of now.
    pub fn get(&self, id: &str) -> Option<Invite> {
        let now = self.inner.now();
        lock(&self.inner.store).get(id, now)
    }

    /// Seeds invites with chosen ids, statuses and timestamps (see [`SeedInvite`](crate::SeedInvite));
    /// not logged. All or nothing: a chosen id already in use refuses the whole seed.
    pub fn seed_invites(&self, seed: &Seed) -> Result<Vec<Invite>, ControlError> {
        self.inner.seed(seed)
    }

    /// Removes every invite (faults and the request log are kept); how many there were.
    pub fn clear(&self) -> usize {
        let mut store = lock(&self.inner.store);
        let removed = store.len();
        store.clear();
        removed
    }

    /// Back to the state the fake was built in: the builder's seed and quota, no faults, an
    /// empty log.
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// Sets the server's request quota, with a fresh window.
    pub fn set_quota(&self, quota: RequestQuota) {
        *lock(&self.inner.quota) = Some(Quota::new(quota));
    }

    /// Turns the server's request quota off.
    pub fn clear_quota(&self) {
        *lock(&self.inner.quota) = None;
    }

    /// The server's request quota, if one is set.
    pub fn quota(&self) -> Option<RequestQuota> {
        lock(&self.inner.quota).as_ref().map(Quota::config)
    }

    /// The recorded requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.log).snapshot()
    }

    /// Forgets the recorded requests and resets the count; how many had arrived.
    pub fn clear_requests(&self) -> usize {
        let mut log = lock(&self.inner.log);
        let arrived = log.total();
        log.clear();
        arrived
    }

    /// How many requests arrived since the start or the last [`clear_requests`](Self::clear_requests).
    pub fn request_count(&self) -> usize {
        lock(&self.inner.log).total()
    }

    /// What the kept log entries count for against its total cap (see
    /// [`FakeInvitesBuilder::max_log_bytes`]).
    pub fn log_bytes(&self) -> usize {
        lock(&self.inner.log).bytes()
    }

    /// Queues a fault behind those already queued.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.inner.faults).push(fault);
    }

    /// Queues a fault; returns the handle so calls chain.
    pub fn fault(&self, fault: Fault) -> &Self {
        self.push_fault(fault);
        self
    }

    /// Drops every queued fault; how many there were.
    pub fn clear_faults(&self) -> usize {
        let mut queue = lock(&self.inner.faults);
        let dropped = queue.len();
        queue.clear();
        dropped
    }

    /// How many faults are still queued (a fault firing `n` times counts once).
    pub fn pending_faults(&self) -> usize {
        lock(&self.inner.faults).len()
    }

    /// The queued faults, first to fire first, each with the number of times it has left.
    pub fn queued_faults(&self) -> Vec<Fault> {
        lock(&self.inner.faults).snapshot()
    }
}

impl Default for FakeInvites {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for FakeInvites {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeInvites")
            .field("invites", &lock(&self.inner.store).len())
            .field("pending_faults", &self.pending_faults())
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}
