//! `RedisLimiterBuilder`: where Redis is, the quota, the key name, the timeout and the policy
//! while Redis is down.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use openai_invites::Quota;

use crate::error::BuildError;
use crate::keys::Keys;
use crate::limiter::{RedisLimiter, Settings};
use crate::policy::{self, StoreDownPolicy};

/// The key name when none is set: `{openai-invites:default}:tat` and `...:pause`.
pub const DEFAULT_KEY_NAME: &str = "default";
/// The bound on every call to Redis when none is set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(100);
/// How often a limiter asks Redis again during an outage, when not set.
pub const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// The longest shared 429 pause when not set: the client's hint cap,
/// [`openai_invites::defaults::MAX_RETRY_AFTER`].
pub const DEFAULT_MAX_PAUSE: Duration = openai_invites::defaults::MAX_RETRY_AFTER;

impl RedisLimiter {
    /// A builder for a limiter allowing `quota` across every replica, on the Redis at `url`
    /// (`redis://[user:password@]host[:port][/db]`, or `redis+unix:///path`).
    pub fn builder(url: impl Into<String>, quota: Quota) -> RedisLimiterBuilder {
        RedisLimiterBuilder::with_target(Target::Url(url.into()), quota)
    }

    /// A builder for a limiter on an already configured redis-rs client.
    pub fn builder_with_client(client: redis::Client, quota: Quota) -> RedisLimiterBuilder {
        RedisLimiterBuilder::with_target(Target::Client(client), quota)
    }
}

/// Builds a [`RedisLimiter`]. Nothing connects until the first permit is asked for, so a
/// limiter can be built while Redis is down (it then answers by its policy).
///
/// | setting | default |
/// |---|---|
/// | `name` | [`DEFAULT_KEY_NAME`] (`"default"`): keys `{openai-invites:default}:tat`, `...:pause` |
/// | `timeout` | [`DEFAULT_TIMEOUT`] (100 ms) for every Redis call, connecting included |
/// | `on_store_down` | [`StoreDownPolicy::LocalFallback`] |
/// | `replicas` | 1: while Redis is down, each replica limits itself to `quota / replicas` |
/// | `fallback_quota` | `quota / replicas` |
/// | `probe_interval` | [`DEFAULT_PROBE_INTERVAL`] (1 s) |
/// | `max_pause` | [`DEFAULT_MAX_PAUSE`] |
#[must_use]
pub struct RedisLimiterBuilder {
    target: Target,
    quota: Quota,
    name: String,
    timeout: Duration,
    policy: StoreDownPolicy,
    replicas: NonZeroU32,
    fallback_quota: Option<Quota>,
    probe_interval: Duration,
    max_pause: Duration,
}

enum Target {
    Url(String),
    Client(redis::Client),
}

impl RedisLimiterBuilder {
    fn with_target(target: Target, quota: Quota) -> Self {
        Self {
            target,
            quota,
            name: DEFAULT_KEY_NAME.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            policy: StoreDownPolicy::default(),
            replicas: NonZeroU32::MIN,
            fallback_quota: None,
            probe_interval: DEFAULT_PROBE_INTERVAL,
            max_pause: DEFAULT_MAX_PAUSE,
        }
    }

    /// The name of the shared limit: every replica using the same name (and Redis) shares
    /// one quota and one pause, e.g. the organization id. No `{` or `}`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The bound on each call to Redis, connecting included (default 100 ms). A call that
    /// takes longer counts as a failure and is answered by the policy.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What to answer while Redis is down or slow (default
    /// [`StoreDownPolicy::LocalFallback`]).
    pub fn on_store_down(mut self, policy: StoreDownPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How many replicas share the quota (default 1). While Redis is down, each one limits
    /// itself in process to `quota / replicas` (rate and burst divided, burst at least 1).
    pub fn replicas(mut self, replicas: NonZeroU32) -> Self {
        self.replicas = replicas;
        self
    }

    /// The in-process quota while Redis is down, instead of `quota / replicas`.
    pub fn fallback_quota(mut self, quota: Quota) -> Self {
        self.fallback_quota = Some(quota);
        self
    }

    /// During an outage, how often one call asks Redis whether it is back (default 1 s);
    /// the others are answered by the policy without a round trip.
    pub fn probe_interval(mut self, interval: Duration) -> Self {
        self.probe_interval = interval;
        self
    }

    /// The longest pause one 429 imposes on every replica (default [`DEFAULT_MAX_PAUSE`], the
    /// client's default `max_retry_after`, which caps the pause before the limiter sees it).
    pub fn max_pause(mut self, max: Duration) -> Self {
        self.max_pause = max;
        self
    }

    /// The limiter; refuses an unparsable URL, a bad key name, or a zero timeout or probe
    /// interval.
    pub fn build(self) -> Result<RedisLimiter, BuildError> {
        let client = match self.target {
            Target::Url(url) => redis::Client::open(url.as_str()).map_err(BuildError::Url)?,
            Target::Client(client) => client,
        };
        if self.timeout.is_zero() {
            return Err(BuildError::ZeroDuration("timeout"));
        }
        if self.probe_interval.is_zero() {
            return Err(BuildError::ZeroDuration("probe_interval"));
        }
        let keys = Keys::new(&self.name)?;
        let share = self
            .fallback_quota
            .unwrap_or_else(|| policy::share(self.quota, self.replicas));
        Ok(RedisLimiter::new(Settings {
            client,
            keys,
            quota: self.quota,
            share,
            timeout: self.timeout,
            policy: self.policy,
            probe_interval: self.probe_interval,
            max_pause: self.max_pause,
        }))
    }
}

// The URL may hold a password: it is never shown.
impl fmt::Debug for RedisLimiterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiterBuilder")
            .field("quota", &self.quota)
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .field("policy", &self.policy)
            .field("replicas", &self.replicas)
            .field("fallback_quota", &self.fallback_quota)
            .field("probe_interval", &self.probe_interval)
            .field("max_pause", &self.max_pause)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn quota() -> Quota {
        Quota::per_second(NonZeroU32::MIN)
    }

    fn refused(builder: RedisLimiterBuilder) -> BuildError {
        builder.build().unwrap_err()
    }

    #[test]
    fn bad_settings_are_refused_when_built() {
        let url = "redis://127.0.0.1:6379";
        assert!(matches!(
            refused(RedisLimiter::builder("not a url", quota())),
            BuildError::Url(_)
        ));
        // No TLS in this build: a rediss:// URL is refused, not sent in clear text.
        assert!(matches!(
            refused(RedisLimiter::builder("rediss://127.0.0.1:6380", quota())),
            BuildError::Url(_)
        ));
        assert!(matches!(
            refused(RedisLimiter::builder(url, quota()).name("a{b}")),
            BuildError::KeyName(_)
        ));
        assert!(matches!(
            refused(RedisLimiter::builder(url, quota()).timeout(Duration::ZERO)),
            BuildError::ZeroDuration("timeout")
        ));
        assert!(matches!(
            refused(RedisLimiter::builder(url, quota()).probe_interval(Duration::ZERO)),
            BuildError::ZeroDuration("probe_interval")
        ));
    }

    #[test]
    fn builds_without_a_runtime_or_a_reachable_redis() {
        let limiter = RedisLimiter::builder("redis://127.0.0.1:1", quota())
            .name("org-1")
            .build()
            .unwrap();
        assert_eq!(limiter.keys().pause(), "{openai-invites:org-1}:pause");
        assert!(!limiter.is_store_down());
    }

    #[test]
    fn the_password_is_never_shown() {
        let builder = RedisLimiter::builder("redis://:hunter2@127.0.0.1:6379", quota());
        assert!(!format!("{builder:?}").contains("hunter2"));
        let limiter = builder.build().unwrap();
        assert!(!format!("{limiter:?}").contains("hunter2"));
    }
}
