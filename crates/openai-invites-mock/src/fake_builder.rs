//! `FakeInvitesBuilder`: the settings a fake is built with, and what `reset` returns to.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openai_invites_core::redact::Redactor;
use tokio::time::Instant;

use crate::clock::{Clock, SystemClock};
use crate::fake::{
    DEFAULT_ADMIN_KEY, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_INVITES, DEFAULT_PROJECT, FakeInvites,
    Inner,
};
use crate::fault::FaultQueue;
use crate::log::{LogLimits, RequestLog};
use crate::quota::{Quota, RequestQuota};
use crate::seed::Seed;
use crate::store::Store;

/// Secrets at least this long are scrubbed wherever they appear; a shorter key or token is
/// only redacted in its own header (scrubbing a short word everywhere would mangle the log).
const MIN_SCRUBBED_LEN: usize = 8;

impl FakeInvites {
    /// A fake with the defaults: key [`DEFAULT_ADMIN_KEY`], the system clock, no quota.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Configures key, clock, quota, caps, seed, control token and default project.
    pub fn builder() -> FakeInvitesBuilder {
        FakeInvitesBuilder::default()
    }
}

impl Default for FakeInvites {
    fn default() -> Self {
        Self::new()
    }
}

/// Settings for a [`FakeInvites`].
pub struct FakeInvitesBuilder {
    admin_key: String,
    clock: Box<dyn Clock>,
    quota: Option<RequestQuota>,
    control_token: Option<String>,
    log: LogLimits,
    seed: Seed,
    max_invites: usize,
    max_body_bytes: usize,
    default_project: String,
    allow_duplicates: bool,
    list_lag: Duration,
}

impl Default for FakeInvitesBuilder {
    fn default() -> Self {
        Self {
            admin_key: DEFAULT_ADMIN_KEY.to_owned(),
            clock: Box::new(SystemClock),
            quota: None,
            control_token: None,
            log: LogLimits::default(),
            seed: Seed::default(),
            max_invites: DEFAULT_MAX_INVITES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            default_project: DEFAULT_PROJECT.to_owned(),
            allow_duplicates: false,
            list_lag: Duration::ZERO,
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
        self.quota = Some(RequestQuota::new(requests, per));
        self
    }

    /// Invites the fake starts with, and returns to on [`FakeInvites::reset`].
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Requires this token in `x-fake-control-token` on every control request (under
    /// `/__fake/`); by default the control API is open, as befits a fake on loopback. The
    /// token is never shown: logs and answers replace it with `[redacted]`.
    pub fn control_token(mut self, token: impl Into<String>) -> Self {
        self.control_token = Some(token.into());
        self
    }

    /// The most of one request body the log keeps (default
    /// [`DEFAULT_MAX_LOGGED_BODY_BYTES`](crate::DEFAULT_MAX_LOGGED_BODY_BYTES)); the rest is
    /// cut and [`RecordedRequest::body_truncated`](crate::RecordedRequest::body_truncated) set.
    pub fn max_logged_body_bytes(mut self, max: usize) -> Self {
        self.log.body_bytes = max;
        self
    }

    /// The most the whole log holds, in bytes (default
    /// [`DEFAULT_MAX_LOG_BYTES`](crate::DEFAULT_MAX_LOG_BYTES)); the oldest entries go first.
    pub fn max_log_bytes(mut self, max: usize) -> Self {
        self.log.total_bytes = max;
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

    /// Accepts a second pending invite for an address instead of answering 409 (default
    /// `false`): a service that does not refuse duplicates, so that a test can see a client
    /// that invites twice.
    pub fn allow_duplicate_invites(mut self, allow: bool) -> Self {
        self.allow_duplicates = allow;
        self
    }

    /// Keeps each new invite out of listings for `lag` after it is made (default: none): a
    /// service whose list lags its writes. On tokio's clock, so paused-time tests drive it.
    pub fn list_lag(mut self, lag: Duration) -> Self {
        self.list_lag = lag;
        self
    }

    /// Builds the fake, seeded.
    pub fn build(self) -> FakeInvites {
        let mut secrets = Redactor::new();
        for secret in std::iter::once(&self.admin_key).chain(&self.control_token) {
            if secret.len() >= MIN_SCRUBBED_LEN {
                secrets.add(secret);
            }
        }
        let inner = Inner {
            admin_key: self.admin_key,
            control_token: self.control_token,
            secrets,
            max_body_bytes: self.max_body_bytes,
            clock: self.clock,
            store: Mutex::new({
                let mut store = Store::new(self.max_invites, self.default_project);
                store.allow_duplicates(self.allow_duplicates);
                store.list_lag(self.list_lag);
                store
            }),
            quota: Mutex::new(self.quota.map(Quota::new)),
            faults: Mutex::new(FaultQueue::default()),
            log: Mutex::new(RequestLog::new(self.log)),
            initial_quota: self.quota,
            initial_seed: self.seed,
            started: Instant::now(),
        };
        // A checked seed cannot clash with an empty store.
        let _ = inner.seed(&inner.initial_seed);
        FakeInvites {
            inner: Arc::new(inner),
        }
    }
}

impl fmt::Debug for FakeInvitesBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeInvitesBuilder")
            .field("quota", &self.quota)
            .field(
                "control_token",
                &self.control_token.as_ref().map(|_| "[redacted]"),
            )
            .field("log", &self.log)
            .field("seed", &self.seed.len())
            .field("max_invites", &self.max_invites)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("default_project", &self.default_project)
            .finish_non_exhaustive()
    }
}
