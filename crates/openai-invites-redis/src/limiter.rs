//! `RedisLimiter`: the client's `RateLimiter`, answered by Redis, or by the policy while
//! Redis is down.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use openai_invites::layer::rate_limit::{Admission, Cooldown, LimiterFuture};
use openai_invites::{Quota, RateLimiter};

use crate::config::{RedisLimiterBuilder, Settings};
use crate::keys::Keys;
use crate::outage::Outage;
use crate::policy::Degraded;
use crate::script::{Gcra, Verdict};
use crate::store::Store;

/// A rate limit and a 429 cooldown shared by every replica that uses the same Redis and key
/// name. Cheap to clone: clones share everything.
///
/// Each permit is one EVALSHA of a GCRA script that reads the time from Redis; a 429 with a
/// hint extends the shared pause, which every replica's permits then wait for. While Redis
/// is down or slow, the [`StoreDownPolicy`](crate::StoreDownPolicy) answers.
///
/// A denial tells the caller how long until the next permit could be free; the limiter
/// remembers that instant and answers this replica's other callers without asking Redis
/// until then. Each wait is lengthened by a random part of one emission interval (at most
/// 50 ms), so that a replica's waiters wake apart rather than all asking for one permit.
///
/// Build one with [`RedisLimiter::builder`], give it to a client with
/// `ClientBuilder::rate_limiter`.
#[derive(Clone)]
pub struct RedisLimiter {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    gcra: Gcra,
    quota: Quota,
    outage: Outage,
    degraded: Degraded,
    /// No permit before then, as far as this replica knows: learnt from Redis's answers (the
    /// next GCRA emission, a shared 429 pause) and from the 429s it sees itself. Until then
    /// its callers wait without a round trip, so many waiters of one replica do not all ask
    /// Redis for the same permit, and a pause still holds this replica when it could not be
    /// written to Redis. It never holds a caller too long: the TAT and the pause only move
    /// forward (a key expires only once it has passed).
    not_before: Cooldown,
    /// Waits are lengthened by a random part of this, so that waiters wake apart.
    spread: Duration,
    max_pause: Duration,
}

impl RedisLimiter {
    /// A builder for a limiter allowing `quota` across every replica, on the Redis at `url`
    /// (`redis://[user:password@]host[:port][/db]`, or `redis+unix:///path`).
    pub fn builder(url: impl Into<String>, quota: Quota) -> RedisLimiterBuilder {
        RedisLimiterBuilder::new(url.into(), quota)
    }

    /// A builder for a limiter on an already configured redis-rs client.
    pub fn builder_with_client(client: redis::Client, quota: Quota) -> RedisLimiterBuilder {
        RedisLimiterBuilder::with_client(client, quota)
    }

    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            shared: Arc::new(Shared {
                store: Store::new(settings.client, settings.keys, settings.timeout),
                gcra: Gcra::of(settings.quota),
                quota: settings.quota,
                outage: Outage::new(settings.probe_interval),
                degraded: Degraded::new(settings.policy, settings.share),
                not_before: Cooldown::new(),
                spread: spread_of(settings.quota),
                max_pause: settings.max_pause,
            }),
        }
    }

    /// The Redis keys this limiter shares.
    pub fn keys(&self) -> &Keys {
        self.shared.store.keys()
    }

    /// The quota shared by every replica.
    pub fn quota(&self) -> Quota {
        self.shared.quota
    }

    /// Whether the last call to Redis failed and no probe has found it answering since.
    pub fn is_store_down(&self) -> bool {
        self.shared.outage.is_down()
    }
}

/// The longest random part added to a wait.
const MAX_SPREAD: Duration = Duration::from_millis(50);

/// One emission interval, at most [`MAX_SPREAD`]: waiters woken within one interval of each
/// other still take every permit when the burst allows more than one.
fn spread_of(quota: Quota) -> Duration {
    quota.replenish_interval().min(MAX_SPREAD)
}

impl Shared {
    /// `wait`, plus a random part of the spread.
    fn spread(&self, wait: Duration) -> Duration {
        let spread = u64::try_from(self.spread.as_nanos()).unwrap_or(u64::MAX);
        wait + Duration::from_nanos(fastrand::u64(0..spread.max(1)))
    }
}

impl RateLimiter for RedisLimiter {
    fn acquire(&self) -> LimiterFuture<Admission> {
        // What this replica already knows (no permit before then) answers without a round
        // trip, so its many waiters do not all ask Redis for the same permit.
        if let Some(wait) = self.shared.not_before.remaining() {
            return LimiterFuture::ready(Ok(Admission::Wait(self.shared.spread(wait))));
        }
        let ask = match self.shared.outage.ask() {
            Ok(ask) => ask,
            Err(down) => return LimiterFuture::ready(self.shared.degraded.admit(down)),
        };
        let shared = Arc::clone(&self.shared);
        LimiterFuture::later(async move {
            match shared.store.admit(shared.gcra).await {
                Ok(verdict) => {
                    shared.outage.answered(ask);
                    match verdict {
                        Verdict::Granted => Ok(Admission::Granted),
                        Verdict::RateLimited(wait) | Verdict::Paused(wait) => {
                            shared.not_before.hold(wait);
                            Ok(Admission::Wait(shared.spread(wait)))
                        }
                    }
                }
                Err(error) => {
                    shared.outage.failed(&error, shared.degraded.meanwhile());
                    shared.degraded.admit(error)
                }
            }
        })
    }

    fn cool_down(&self, pause: Duration) -> LimiterFuture<()> {
        let pause = pause.min(self.shared.max_pause);
        self.shared.not_before.hold(pause);
        let ask = match self.shared.outage.ask() {
            Ok(ask) => ask,
            Err(down) => return LimiterFuture::ready(self.shared.degraded.cool_down(down)),
        };
        let shared = Arc::clone(&self.shared);
        LimiterFuture::later(async move {
            match shared.store.pause(pause).await {
                Ok(in_force) => {
                    shared.outage.answered(ask);
                    // A longer pause may already be in force: hold for all of it.
                    shared.not_before.hold(in_force);
                    Ok(())
                }
                Err(error) => {
                    shared.outage.failed(&error, shared.degraded.meanwhile());
                    shared.degraded.cool_down(error)
                }
            }
        })
    }

    fn store_failures(&self) -> u64 {
        self.shared.outage.failures()
    }
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("keys", self.keys())
            .field("quota", &self.shared.quota)
            .field("store_down", &self.is_store_down())
            .field("store_failures", &self.store_failures())
            .finish_non_exhaustive()
    }
}
