//! `FakeInvites`: the handle over the fake's state, faults and request log.
//!
//! Both faces (the in-process service and the loopback server) and the test hooks share one
//! `Arc`, so a test can script a fault, drive a client over either face, and then inspect the
//! store and the log through the same handle.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use openai_invites_core::{Invite, InviteRequest};

use crate::clock::{Clock, SystemClock, unix_seconds};
use crate::fault::{Fault, FaultQueue};
use crate::log::{RecordedRequest, RequestLog};
use crate::quota::{Quota, QuotaConfig};
use crate::store::Store;
use crate::{FakeServer, FakeService};

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
    pub(crate) max_body_bytes: usize,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) store: Mutex<Store>,
    pub(crate) quota: Option<Mutex<Quota>>,
    pub(crate) faults: Mutex<FaultQueue>,
    pub(crate) log: Mutex<RequestLog>,
}

impl Inner {
    pub(crate) fn now(&self) -> i64 {
        unix_seconds(self.clock.now())
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

    /// Configures key, clock, quota, caps and default project.
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

    /// Removes every invite (faults and the request log are kept).
    pub fn clear(&self) {
        lock(&self.inner.store).clear();
    }

    /// The recorded requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.log).snapshot()
    }

    /// Forgets the recorded requests and resets the count.
    pub fn clear_requests(&self) {
        lock(&self.inner.log).clear();
    }

    /// How many requests arrived since the start or the last [`clear_requests`](Self::clear_requests).
    pub fn request_count(&self) -> usize {
        lock(&self.inner.log).total()
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

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    /// How many faults are still queued (a fault firing `n` times counts once).
    pub fn pending_faults(&self) -> usize {
        lock(&self.inner.faults).len()
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

/// Settings for a [`FakeInvites`].
pub struct FakeInvitesBuilder {
    admin_key: String,
    clock: Box<dyn Clock>,
    quota: Option<QuotaConfig>,
    max_invites: usize,
    max_body_bytes: usize,
    default_project: String,
}

impl Default for FakeInvitesBuilder {
    fn default() -> Self {
        Self {
            admin_key: DEFAULT_ADMIN_KEY.to_owned(),
            clock: Box::new(SystemClock),
            quota: None,
            max_invites: DEFAULT_MAX_INVITES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            default_project: DEFAULT_PROJECT.to_owned(),
        }
    }
}

impl FakeInvitesBuilder {
    /// The admin key to accept (default [`DEFAULT_ADMIN_KEY`]).
    pub fn admin_key(mut self, key: impl Into<String>) -> Self {
        self.admin_key = key.into();
        self
    }

    /// The clock behind invite timestamps (default: the system clock), e.g. a
    /// [`ManualClock`](crate::ManualClock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// Allows `requests` authenticated requests per fixed window of `per`; beyond that, 429.
    /// Off by default.
    pub fn quota(mut self, requests: u32, per: Duration) -> Self {
        self.quota = Some(QuotaConfig { requests, per });
        self
    }

    /// The most invites the store holds (default [`DEFAULT_MAX_INVITES`]).
    pub fn max_invites(mut self, max: usize) -> Self {
        self.max_invites = max;
        self
    }

    /// The largest request body accepted (default [`DEFAULT_MAX_BODY_BYTES`]); larger is 413.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The project an invite joins when its request omits `projects` (default
    /// [`DEFAULT_PROJECT`]).
    pub fn default_project(mut self, id: impl Into<String>) -> Self {
        self.default_project = id.into();
        self
    }

    /// Builds the fake.
    pub fn build(self) -> FakeInvites {
        FakeInvites {
            inner: Arc::new(Inner {
                admin_key: self.admin_key,
                max_body_bytes: self.max_body_bytes,
                clock: self.clock,
                store: Mutex::new(Store::new(self.max_invites, self.default_project)),
                quota: self.quota.map(|q| Mutex::new(Quota::new(q))),
                faults: Mutex::new(FaultQueue::default()),
                log: Mutex::new(RequestLog::default()),
            }),
        }
    }
}

impl fmt::Debug for FakeInvitesBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeInvitesBuilder")
            .field("quota", &self.quota)
            .field("max_invites", &self.max_invites)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("default_project", &self.default_project)
            .finish_non_exhaustive()
    }
}
