//! `RedisLimiter`: the client's `RateLimiter`, answered by Redis (one reservation per
//! permit), or by the policy while Redis is down.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use openai_invites::layer::rate_limit::{Admission, Cooldown, LimiterFuture};
use openai_invites::{Quota, RateLimiter};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::keys::Keys;
use crate::outage::Outage;
use crate::policy::{Degraded, StoreDownPolicy};
use crate::script::{Gcra, Verdict};
use crate::store::Store;

/// A rate limit and a 429 cooldown shared by every replica that uses the same Redis and key
/// name. Cheap to clone: clones share everything.
///
/// Each permit is one EVALSHA of a GCRA script that reads the time from Redis and reserves
/// the caller's slot: the earliest instant the quota allows, now or later. The caller then
/// waits for its slot in process, with no second round trip, so Redis work grows with the
/// rate, not with the number of waiters. A 429 with a hint extends the shared pause, which
/// every replica's permits then wait for. While Redis is down or slow, the
/// [`StoreDownPolicy`] answers.
///
/// A replica holds only a few slots at a time (enough for 20 ms of the quota, and at least 2); its
/// other callers wait their turn in process, first come, first served. So the slots at Redis
/// interleave the replicas, and each busy replica gets an equal share of the quota; the
/// reservations reach only a few emission intervals per replica ahead; and what a call dropped
/// while it waits costs is bounded: nothing while it waits for its turn, one emission interval of
/// the quota once it holds a slot (the slot goes unused; callers who reserve after it are given
/// theirs one interval later). A replica that dies wastes at most the few slots it held. A reply
/// lost to the [`timeout`](crate::RedisLimiterBuilder::timeout) after the script ran wastes one
/// slot too: the slot was reserved, but the caller is answered by the [`StoreDownPolicy`] instead,
/// so it costs the others one interval. Whatever the clients do, the script itself reserves no slot
/// more than 1024 emission intervals ahead (a caller beyond that is told to ask again), so
/// abandoned reservations can never cost the others more than that. The rate-limit layer tells the
/// limiter how long each call has left (`RateLimiter::acquire_within`): a slot further away than
/// the call's deadline is not reserved, and the call fails at once with `ErrorKind::RateLimited`,
/// nothing sent and nothing reserved; so does a shared 429 pause longer than a call has left, as
/// with the in-process limiter. A call whose deadline comes while it waits for its turn ends with
/// the client's total timeout, nothing sent.
///
/// Build one with [`RedisLimiter::builder`], give it to a client with
/// `ClientBuilder::rate_limiter`.
#[derive(Clone)]
pub struct RedisLimiter {
    shared: Arc<Shared>,
}

/// Everything a limiter is made from, checked by the builder.
pub(crate) struct Settings {
    pub(crate) client: redis::Client,
    pub(crate) keys: Keys,
    pub(crate) quota: Quota,
    pub(crate) share: Quota,
    pub(crate) timeout: Duration,
    pub(crate) policy: StoreDownPolicy,
    pub(crate) probe_interval: Duration,
    pub(crate) max_pause: Duration,
}

struct Shared {
    store: Store,
    gcra: Gcra,
    quota: Quota,
    outage: Outage,
    degraded: Degraded,
    /// The slots this replica may hold reserved at once; a caller holds one turn from asking
    /// Redis until its slot comes (or it gives up).
    turns: Semaphore,
    /// A 429 pause as far as this replica knows: learnt from Redis's answers and from the
    /// 429s it sees itself. Until then its callers wait without a round trip, a slot reserved
    /// earlier that falls inside it is not used, and a pause still holds this replica when it
    /// could not be written to Redis. It never holds a caller too long: the pause only moves
    /// forward (its key expires only once it has passed).
    paused: Cooldown,
    max_pause: Duration,
}

/// How far ahead of its slots a replica keeps reserving: enough to cover a round trip and a
/// late timer on a busy machine, so that the quota is never idle while callers wait.
const LEAD: Duration = Duration::from_millis(20);
/// The fewest slots a replica holds at once: one due, one ahead.
const MIN_TURNS: usize = 2;

/// The slots a replica may hold at once for `gcra`: [`LEAD`] worth of emission intervals, at
/// least [`MIN_TURNS`].
fn turns_of(gcra: Gcra) -> usize {
    let lead = u64::try_from(LEAD.as_micros()).unwrap_or(u64::MAX);
    usize::try_from(lead.div_ceil(gcra.t_us.max(1)))
        .unwrap_or(usize::MAX)
        .clamp(MIN_TURNS, Semaphore::MAX_PERMITS)
}

impl RedisLimiter {
    pub(crate) fn new(settings: Settings) -> Self {
        let gcra = Gcra::of(settings.quota);
        Self {
            shared: Arc::new(Shared {
                store: Store::new(settings.client, settings.keys, settings.timeout),
                gcra,
                quota: settings.quota,
                outage: Outage::new(settings.probe_interval),
                degraded: Degraded::new(settings.policy, settings.share),
                turns: Semaphore::new(turns_of(gcra)),
                paused: Cooldown::new(),
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

    /// A permit for a caller that can wait at most `left` (its call's time left; `None`: no
    /// deadline): a slot later than that is not reserved, and the answer is a
    /// [`Admission::Wait`] longer than what is left, which the rate-limit layer turns into a
    /// refusal with nothing sent. What `RateLimiter::acquire_within` answers.
    fn permit_within(&self, left: Option<Duration>) -> LimiterFuture<Admission> {
        let deadline = left.and_then(|left| Instant::now().checked_add(left));
        // A pause this replica knows of answers without a round trip.
        if let Some(wait) = self.shared.paused.remaining() {
            return LimiterFuture::ready(Ok(Admission::Wait(wait)));
        }
        // While Redis is down, callers are answered by the policy, not queued behind it; the
        // one that probes goes straight to Redis.
        let probe = if self.shared.outage.is_down() {
            match self.shared.outage.ask() {
                Ok(probe) => Some(probe),
                Err(down) => return LimiterFuture::ready(self.shared.degraded.admit(down)),
            }
        } else {
            None
        };
        let shared = Arc::clone(&self.shared);
        LimiterFuture::later(async move {
            // A probe goes straight to Redis; any other caller waits for its turn, then asks.
            let (ask, _turn) = match probe {
                Some(probe) => (probe, None),
                None => {
                    // The semaphore is never closed: a turn always comes.
                    let turn = shared.turns.acquire().await.ok();
                    if let Some(wait) = shared.paused.remaining() {
                        return Ok(Admission::Wait(wait));
                    }
                    match shared.outage.ask() {
                        Ok(ask) => (ask, turn),
                        Err(down) => return shared.degraded.admit(down),
                    }
                }
            };
            // Waiting for the turn took some of what the caller had.
            let max_wait = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            match shared.store.reserve(shared.gcra, max_wait).await {
                Ok(verdict) => {
                    shared.outage.answered(ask);
                    Ok(shared.admission(verdict).await)
                }
                Err(error) => {
                    shared.outage.failed(&error, shared.degraded.meanwhile());
                    shared.degraded.admit(error)
                }
            }
        })
    }
}

impl Shared {
    /// What the script's verdict means for the caller; a reserved slot is waited for here.
    async fn admission(&self, verdict: Verdict) -> Admission {
        match verdict {
            Verdict::Reserved(wait) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                // A pause learnt meanwhile holds this slot too: it goes unused.
                self.paused
                    .remaining()
                    .map_or(Admission::Granted, Admission::Wait)
            }
            // Longer than the caller can wait (the layer refuses the call), or every slot up
            // to the horizon is taken (the layer waits, then asks again).
            Verdict::RateLimited(wait) | Verdict::Full(wait) => Admission::Wait(wait),
            Verdict::Paused(wait) => {
                self.paused.hold(wait);
                Admission::Wait(wait)
            }
        }
    }
}

impl RateLimiter for RedisLimiter {
    fn acquire(&self) -> LimiterFuture<Admission> {
        self.permit_within(None)
    }

    /// The rate-limit layer passes the call's time left: a slot further away is not reserved.
    fn acquire_within(&self, left: Option<Duration>) -> LimiterFuture<Admission> {
        self.permit_within(left)
    }

    fn cool_down(&self, pause: Duration) -> LimiterFuture<()> {
        let pause = pause.min(self.shared.max_pause);
        self.shared.paused.hold(pause);
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
                    shared.paused.hold(in_force);
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
            .field("slots_held_at_most", &turns_of(self.shared.gcra))
            .field("store_down", &self.is_store_down())
            .field("store_failures", &self.store_failures())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "limiter/tests.rs"]
mod tests;
