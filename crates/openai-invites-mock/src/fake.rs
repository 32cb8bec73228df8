//! `FakeInvites`: the handle over the fake's state, faults and request log, shared by both
//! faces and the test hooks.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use openai_invites_core::redact::Redactor;
use openai_invites_core::{Invite, InviteRequest};
use tokio::time::Instant;

use crate::clock::{Clock, unix_seconds};
use crate::control_error::ControlError;
use crate::fault::{Fault, FaultQueue};
use crate::log::{RecordedRequest, RequestLog};
use crate::quota::{Quota, RequestQuota};
use crate::seed::Seed;
use crate::store::Store;

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
    pub(crate) secrets: Redactor,
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
/// It serves the core's operation table under the base path `/v1` (`a%2Fb` in a path is the
/// id `a/b`). Checks run in this order, the first failing one answers: 401 auth, 429 quota,
/// 404 / 405 route, 413 body cap, then the operation's own. Every error is the OpenAI envelope
/// with all four fields; every answer carries `x-request-id: req_<32 hex>` and
/// `openai-processing-ms`.
///
/// | case | status | `param` | `code` |
/// |---|---|---|---|
/// | no `Authorization: Bearer` key | 401 | null | null |
/// | wrong key (shown masked, `sk-****…cret`) | 401 | null | `invalid_api_key` |
/// | quota exceeded (`type` `requests`) | 429 | null | `rate_limit_exceeded` |
/// | unknown path / other method (with `allow`) | 404 / 405 | null | null |
/// | body over [`DEFAULT_MAX_BODY_BYTES`] | 413 | null | `request_too_large` |
/// | body not a JSON object, `content-type` not JSON | 400 | null | null |
/// | invalid field | 400 | `email`, `role`, `projects[1].role`, … | null |
/// | `limit` not in 1..=[`MAX_LIMIT`](openai_invites_core::ops::MAX_LIMIT), `after` unknown | 400 | `limit`, `after` | null |
/// | unknown invite id | 404 | `invite_id` | null |
/// | a pending invite for that email exists | 409 | `email` | `invite_already_exists` |
/// | store full ([`DEFAULT_MAX_INVITES`]) | 400 | null | `invite_limit_reached` |
/// | deleting an accepted invite | 400 | `invite_id` | `invite_already_accepted` |
///
/// Where the real service is not documented: ids are `invite-` and 24 letters and digits;
/// `expires_at` is [`INVITE_LIFETIME_SECS`](crate::INVITE_LIFETIME_SECS) after `created_at`,
/// and a pending invite past it reads as `expired` (on the injectable
/// [`Clock`](crate::Clock)); omitted `projects` join [`DEFAULT_PROJECT`] as `member`, `[]`
/// joins none; a second *pending* invite for an email (any case) is a 409; lists are newest
/// first, [`DEFAULT_LIMIT`](openai_invites_core::ops::DEFAULT_LIMIT) to a page, and an
/// `after` naming a deleted invite still works; the quota
/// ([`FakeInvitesBuilder::quota`](crate::FakeInvitesBuilder::quota)) is a fixed window with
/// `x-ratelimit-*` headers, and its 429 adds `retry-after-ms` and `retry-after`. The admin key
/// and control token are never echoed: the log shows `Bearer sk-a...[redacted]`.
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

// `new`, `builder`, `service` and `start_server` are with the builder and the faces.
impl FakeInvites {
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
    /// [`FakeInvitesBuilder::max_log_bytes`](crate::FakeInvitesBuilder::max_log_bytes)).
    pub fn log_bytes(&self) -> usize {
        lock(&self.inner.log).bytes()
    }

    /// Queues a fault behind those already queued.
    ///
    /// A fault that could never fire (its [`Match::Operation`](crate::Match::Operation) holds
    /// a hand-built meta that is not one of the core's operations) cannot be refused here, so
    /// it is replaced by one that answers every request 500 with the reason, until the faults
    /// are cleared: the test fails saying why, instead of passing without its fault.
    /// [`try_push_fault`](Self::try_push_fault) returns the error instead.
    pub fn push_fault(&self, fault: Fault) {
        if let Err(refused) = self.try_push_fault(fault) {
            let message = format!("the fake refused a fault pushed by the test: {refused}");
            let loud = Fault::status(500).times(usize::MAX).json(serde_json::json!({
                "error": {"message": message, "type": "fake_control_error", "param": "operation", "code": "invalid_value"}
            }));
            lock(&self.inner.faults).push(loud);
        }
    }

    /// Queues a fault behind those already queued, or refuses one that could never fire (its
    /// [`Match::Operation`](crate::Match::Operation) is not one of the core's operations).
    ///
    /// ```
    /// use openai_invites_core::{InviteUser, OperationMeta, Operation};
    /// use openai_invites_mock::{FakeInvites, Fault, Match};
    ///
    /// let fake = FakeInvites::new();
    /// let typo = OperationMeta { name: "invite_user", ..InviteUser::META };
    /// let refused = fake.try_push_fault(Fault::status(503).matching(Match::Operation(typo)));
    /// assert!(refused.unwrap_err().to_string().contains("`invite_user` is not one of"));
    /// assert_eq!(fake.pending_faults(), 0);
    /// ```
    pub fn try_push_fault(&self, fault: Fault) -> Result<(), ControlError> {
        fault.matcher.check()?;
        lock(&self.inner.faults).push(fault);
        Ok(())
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

impl fmt::Debug for FakeInvites {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeInvites")
            .field("invites", &lock(&self.inner.store).len())
            .field("pending_faults", &self.pending_faults())
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}
