//! `StoreDownPolicy`: what the limiter answers while Redis is down or slow.

use std::num::NonZeroU32;
use std::time::Duration;

use openai_invites::Quota;
use openai_invites::layer::rate_limit::{Admission, GovernorLimiter, LimiterUnavailable};

use crate::error::StoreError;

/// What the limiter answers while Redis is down or slow (a call failed or timed out, and the
/// next probe is not due yet).
///
/// Whatever the policy, the failure is counted in
/// [`store_failures`](openai_invites::RateLimiter::store_failures), one warning is logged
/// per outage, and a 429 pause this replica saw still holds its own callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StoreDownPolicy {
    /// Limit this replica in process at its share of the quota: the quota divided by
    /// [`replicas`](crate::RedisLimiterBuilder::replicas), or
    /// [`fallback_quota`](crate::RedisLimiterBuilder::fallback_quota). The default: the
    /// replicas together stay near the quota, and calls go on.
    #[default]
    LocalFallback,
    /// Fail each call at once with `ErrorKind::LimiterUnavailable` (nothing is sent), for a
    /// quota that must never be exceeded.
    Deny,
    /// Let every call through unlimited, for a quota that matters less than availability.
    Allow,
}

/// The policy in force, with the in-process limiter it may need.
#[derive(Debug)]
pub(crate) enum Degraded {
    LocalFallback(GovernorLimiter),
    Deny,
    Allow,
}

impl Degraded {
    pub(crate) fn new(policy: StoreDownPolicy, share: Quota) -> Self {
        match policy {
            StoreDownPolicy::LocalFallback => Self::LocalFallback(GovernorLimiter::new(share)),
            StoreDownPolicy::Deny => Self::Deny,
            StoreDownPolicy::Allow => Self::Allow,
        }
    }

    /// The answer to a permit while Redis cannot give it.
    pub(crate) fn admit(&self, why: StoreError) -> Result<Admission, LimiterUnavailable> {
        match self {
            Self::LocalFallback(local) => Ok(local.try_acquire()),
            Self::Deny => Err(LimiterUnavailable::new(why)),
            Self::Allow => Ok(Admission::Granted),
        }
    }

    /// The answer to a 429 pause that could not be shared (this replica already holds its
    /// own callers): an error only under `Deny`, whose calls fail anyway; the others already
    /// warned once for the outage.
    pub(crate) fn cool_down(&self, why: StoreError) -> Result<(), LimiterUnavailable> {
        match self {
            Self::Deny => Err(LimiterUnavailable::new(why)),
            Self::LocalFallback(_) | Self::Allow => Ok(()),
        }
    }

    /// What callers get meanwhile, for the outage warning.
    pub(crate) fn meanwhile(&self) -> &'static str {
        match self {
            Self::LocalFallback(_) => {
                "this replica limits itself in process at its share of the quota"
            }
            Self::Deny => "calls fail with LimiterUnavailable",
            Self::Allow => "calls go through unlimited",
        }
    }
}

/// `quota` divided among `replicas`: each replenishes `replicas` times slower, and the
/// burst is split (at least 1), so that the replicas together stay within `quota`.
pub(crate) fn share(quota: Quota, replicas: NonZeroU32) -> Quota {
    let n = replicas.get();
    let interval = quota
        .replenish_interval()
        .saturating_mul(n)
        .max(Duration::from_nanos(1));
    let burst = NonZeroU32::new(quota.burst_size().get() / n).unwrap_or(NonZeroU32::MIN);
    // `interval` is at least 1 ns, so `with_period` always answers; the fallback is never taken.
    Quota::with_period(interval)
        .unwrap_or(quota)
        .allow_burst(burst)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn n(v: u32) -> NonZeroU32 {
        NonZeroU32::new(v).unwrap()
    }

    #[test]
    fn a_share_divides_rate_and_burst() {
        let quota = Quota::per_second(n(100)).allow_burst(n(10));
        let quarter = share(quota, n(4));
        assert_eq!(quarter.replenish_interval(), Duration::from_millis(40));
        assert_eq!(quarter.burst_size(), n(2));
        assert_eq!(share(quota, n(1)), quota);
        // More replicas than burst: each keeps a burst of one.
        assert_eq!(share(quota, n(50)).burst_size(), n(1));
    }

    #[tokio::test(start_paused = true)]
    async fn each_policy_answers_its_way() {
        let why = || StoreError::Timeout(Duration::from_millis(100));
        let quota = Quota::per_second(n(2));
        let fallback = Degraded::new(StoreDownPolicy::LocalFallback, quota);
        assert_eq!(fallback.admit(why()).unwrap(), Admission::Granted);
        assert_eq!(fallback.admit(why()).unwrap(), Admission::Granted);
        assert!(matches!(fallback.admit(why()).unwrap(), Admission::Wait(_)));
        assert!(fallback.cool_down(why()).is_ok());

        let deny = Degraded::new(StoreDownPolicy::Deny, quota);
        let error = deny.admit(why()).unwrap_err();
        let source = std::error::Error::source(&error).unwrap();
        assert!(source.downcast_ref::<StoreError>().is_some());
        assert!(deny.cool_down(why()).is_err());

        let allow = Degraded::new(StoreDownPolicy::Allow, quota);
        for _ in 0..100 {
            assert_eq!(allow.admit(why()).unwrap(), Admission::Granted);
        }
    }
}
