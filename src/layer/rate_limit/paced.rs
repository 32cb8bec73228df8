//! `PacedLimiter`: requests evenly spaced at a fixed rate, each caller given its own slot.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use governor::Quota;
use tokio::time::Instant;

use super::{Admission, Cooldown, LimiterFuture, RateLimiter};

/// An in-process limiter that spaces requests evenly at a quota's rate (one per
/// `quota.replenish_interval()`, no bursts), handing each caller its own slot: the earliest
/// free one, now or later, which it waits for in process.
///
/// Beside the [`GovernorLimiter`](super::GovernorLimiter), whose GCRA counts each permit from
/// the moment it is taken: there, a caller whose timer wakes a little late pushes every later
/// permit back by as much (at 50 requests/s, tokio's millisecond timer loses about 5 % of the
/// rate); here a late caller moves no one else's slot, so a long run keeps the whole rate.
/// What it costs: a caller dropped while it waits for its slot leaves the slot unused (one
/// interval of the rate), and the waits allocate (one boxed future each). A slot further away
/// than the call has left is not reserved: the call fails at once, with nothing sent.
///
/// Against a service that counts requests in fixed windows, pace a little under its quota:
/// a request that reaches it later after its slot than the one a window's worth after it
/// would otherwise open a window that the later one overruns.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::num::NonZeroU32;
/// use std::time::Duration;
/// use openai_invites::layer::rate_limit::{Admission, PacedLimiter, Quota, RateLimiter};
///
/// let limiter = PacedLimiter::new(Quota::per_second(NonZeroU32::new(50).unwrap()));
/// let start = tokio::time::Instant::now();
/// for _ in 0..3 {
///     assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
/// }
/// // One now, then one every 20 ms.
/// assert_eq!(start.elapsed(), Duration::from_millis(40));
/// # }
/// ```
pub struct PacedLimiter {
    interval: Duration,
    /// The next free slot (`None`: now).
    next: Mutex<Option<Instant>>,
    cooldown: Arc<Cooldown>,
}

/// The longest interval between two slots.
const LONGEST_INTERVAL: Duration = Duration::from_secs(365 * 24 * 3600);

/// What a caller was given.
enum Slot {
    Now,
    At(Instant),
    /// Nothing reserved: wait this long, then ask again (a cooldown, or a slot further away
    /// than the call has left).
    Refused(Duration),
}

impl PacedLimiter {
    /// A limiter spacing requests one `quota.replenish_interval()` apart (its burst is not
    /// used).
    pub fn new(quota: Quota) -> Self {
        Self {
            // Slots are instants: one a year or rarer is paced at one a year (no overflow).
            interval: quota.replenish_interval().min(LONGEST_INTERVAL),
            next: Mutex::new(None),
            cooldown: Arc::new(Cooldown::new()),
        }
    }

    /// The caller's slot, reserved unless it is further away than `left`.
    fn reserve(&self, left: Option<Duration>) -> Slot {
        if let Some(wait) = self.cooldown.remaining() {
            return Slot::Refused(wait);
        }
        let now = Instant::now();
        // The critical section only reads and moves one instant: a poisoned lock holds a
        // valid one.
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = next.map_or(now, |next| next.max(now));
        let wait = slot - now;
        // As the rate-limit layer decides: a wait as long as the call has left is too long.
        if left.is_some_and(|left| wait >= left) {
            return Slot::Refused(wait);
        }
        *next = Some(slot + self.interval);
        match wait.is_zero() {
            true => Slot::Now,
            false => Slot::At(slot),
        }
    }
}

impl RateLimiter for PacedLimiter {
    fn acquire(&self) -> LimiterFuture<Admission> {
        self.acquire_within(None)
    }

    fn acquire_within(&self, left: Option<Duration>) -> LimiterFuture<Admission> {
        match self.reserve(left) {
            Slot::Now => LimiterFuture::ready(Ok(Admission::Granted)),
            Slot::Refused(wait) => LimiterFuture::ready(Ok(Admission::Wait(wait))),
            Slot::At(slot) => {
                let cooldown = Arc::clone(&self.cooldown);
                LimiterFuture::later(async move {
                    tokio::time::sleep_until(slot).await;
                    // A 429's pause began while this caller waited: its slot is given up, and it
                    // asks again after the pause for a slot of its own, so the callers that
                    // waited go out one interval apart, not together.
                    Ok(match cooldown.remaining() {
                        Some(pause) => Admission::Wait(pause),
                        None => Admission::Granted,
                    })
                })
            }
        }
    }

    fn cool_down(&self, pause: Duration) -> LimiterFuture<()> {
        self.cooldown.hold(pause);
        LimiterFuture::ready(Ok(()))
    }
}

impl fmt::Debug for PacedLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacedLimiter")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn fifty_per_second() -> PacedLimiter {
        PacedLimiter::new(Quota::per_second(NonZeroU32::new(50).unwrap()))
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_wakes_late_moves_no_one_elses_slot() {
        let limiter = fifty_per_second();
        let start = Instant::now();
        limiter.acquire().await.unwrap(); // at 0
        let late = limiter.acquire(); // its slot: 20 ms
        let next = limiter.acquire(); // 40 ms
        tokio::time::advance(23 * MS).await; // `late` runs 3 ms after its slot
        late.await.unwrap();
        assert_eq!(start.elapsed(), 23 * MS);
        // The slots stay 20 ms apart from the start (a GCRA that counts from the permit
        // would now give 43 and 63).
        let after = limiter.acquire();
        next.await.unwrap();
        assert_eq!(start.elapsed(), 40 * MS);
        after.await.unwrap();
        assert_eq!(start.elapsed(), 60 * MS);
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_callers_get_successive_slots() {
        let limiter = Arc::new(fifty_per_second());
        let start = Instant::now();
        let waits: Vec<_> = (0..5).map(|_| limiter.acquire()).collect();
        let mut granted = Vec::new();
        for wait in waits {
            assert_eq!(wait.await.unwrap(), Admission::Granted);
            granted.push(start.elapsed());
        }
        assert_eq!(granted, [0, 20, 40, 60, 80].map(|ms| ms * MS));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_past_what_the_call_has_left_is_not_reserved() {
        let limiter = fifty_per_second();
        for _ in 0..3 {
            drop(limiter.acquire()); // slots at 0, 20 and 40 ms, reserved when asked
        }
        let refused = limiter.acquire_within(Some(10 * MS)).await.unwrap();
        assert_eq!(refused, Admission::Wait(60 * MS));
        // Nothing was reserved: the next caller still gets the slot at 60 ms.
        let start = Instant::now();
        limiter.acquire().await.unwrap();
        assert_eq!(start.elapsed(), 60 * MS);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cooldown_sends_those_already_waiting_back_for_new_slots() {
        let limiter = fifty_per_second();
        limiter.acquire().await.unwrap();
        let waiting = limiter.acquire(); // its slot: 20 ms
        limiter.cool_down(Duration::from_secs(1)).await.unwrap();
        assert_eq!(
            limiter.acquire().await.unwrap(),
            Admission::Wait(Duration::from_secs(1))
        );
        // At its slot the pause has 980 ms to go: it gives the slot up and asks again then.
        assert_eq!(waiting.await.unwrap(), Admission::Wait(980 * MS));
        tokio::time::advance(980 * MS).await;
        let start = Instant::now();
        for n in 0..3 {
            limiter.acquire().await.unwrap();
            assert_eq!(start.elapsed(), n * 20 * MS);
        }
    }

    #[test]
    fn a_quota_rarer_than_a_year_is_paced_at_one_a_year() {
        let limiter = PacedLimiter::new(Quota::with_period(Duration::MAX).unwrap());
        assert_eq!(limiter.interval, LONGEST_INTERVAL);
    }
}
