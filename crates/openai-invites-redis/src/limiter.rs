//! `RedisLimiter`: the client's `RateLimiter`, answered by Redis, or by the policy while
//! Redis is down.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use openai_invites::layer::rate_limit::{Admission, LimiterFuture};
use openai_invites::{Quota, RateLimiter};

use crate::config::{RedisLimiterBuilder, Settings};
use crate::cooldown::LocalCooldown;
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
    cooldown: LocalCooldown,
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
                cooldown: LocalCooldown::new(),
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

impl RateLimiter for RedisLimiter {
    fn acquire(&self) -> LimiterFuture<Admission> {
        // This replica's own copy of a pause answers without a round trip.
        if let Some(wait) = self.shared.cooldown.remaining() {
            return LimiterFuture::ready(Ok(Admission::Wait(wait)));
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
                    if let Verdict::Paused(left) = verdict {
                        // Another replica's pause: hold here too, without asking again.
                        shared.cooldown.hold(left);
                    }
                    Ok(verdict.into())
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
        self.shared.cooldown.hold(pause);
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
                    shared.cooldown.hold(in_force);
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
