//! `AdaptiveLimiter`: the pace the service announces in its `x-ratelimit-*` headers, and the
//! configured rate when it announces none.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http::HeaderMap;
use openai_invites_core::headers::RateLimitHeaders;
use tokio::time::Instant;

use super::{Admission, Cooldown, GovernorLimiter, LimiterFuture, Quota, RateLimiter};
use crate::defaults;

/// A limiter that follows the service's own request quota, as its answers announce it:
/// `x-ratelimit-remaining-requests` left until `x-ratelimit-reset-requests` (capped by
/// `x-ratelimit-limit-requests`). Those requests, less the attempts in flight when the answer
/// came (the service may not have counted them yet) and less each one granted since, are
/// spread evenly over the time left; so a client never asks for more than the service said it
/// allows, and uses what it allows. Before the first
/// answer that says, after an answer that does not, and once the announced reset has passed
/// (until the next answer says again), it paces at the configured `fallback` rate. A 429
/// with a hint pauses every caller, as with [`GovernorLimiter`].
///
/// In process, shared by every clone of a client; the service's count is the
/// organization's, so several processes following it each see what the others used (though
/// not what they have in flight). It answers at once; it learns from every answer, so its
/// calls cost a lock more than [`GovernorLimiter`]'s.
///
/// ```
/// use std::num::NonZeroU32;
/// use openai_invites::layer::rate_limit::{AdaptiveLimiter, Quota};
///
/// // Whatever the service announces; 10 requests/s until it does.
/// let limiter = AdaptiveLimiter::new(Quota::per_second(NonZeroU32::new(10).unwrap()));
/// let client = openai_invites::Client::builder()
///     .admin_key("sk-admin-example")
///     .rate_limiter(limiter)
///     .build()?;
/// # let _ = client;
/// # Ok::<(), openai_invites::BuildError>(())
/// ```
pub struct AdaptiveLimiter {
    fallback: GovernorLimiter,
    cooldown: Cooldown,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Attempts granted whose answer has not come: the service's count may not show them.
    in_flight: u64,
    /// What the last answer announced.
    announced: Option<Announced>,
    /// The last grant at an announced pace: the next one comes a pace later, at the pace the
    /// latest announcement sets (an old, slower pace never outlives a new announcement).
    last: Option<Instant>,
}

/// `left` requests allowed until `reset`: what the service announced, less what was in flight
/// then and what was granted since.
#[derive(Debug, Clone, Copy)]
struct Announced {
    left: u64,
    reset: Instant,
}

impl AdaptiveLimiter {
    /// Follows the service's announced quota; paces at `fallback` when there is none.
    pub fn new(fallback: Quota) -> Self {
        Self {
            fallback: GovernorLimiter::new(fallback),
            cooldown: Cooldown::new(),
            state: Mutex::new(State::default()),
        }
    }

    /// Takes a permit now, or says how long until one is free.
    pub fn try_acquire(&self) -> Admission {
        if let Some(wait) = self.cooldown.remaining() {
            return Admission::Wait(wait);
        }
        let now = Instant::now();
        let mut state = self.lock();
        let admission = match state.announced.filter(|a| now < a.reset) {
            Some(_) => state.pace(now),
            None => self.fallback.try_acquire(),
        };
        if admission == Admission::Granted {
            state.in_flight += 1;
        }
        admission
    }

    /// The service's quota as the last answer announced it and this client sees it now:
    /// requests it may still send, and the time until the service's reset; `None` while it
    /// paces at the fallback rate.
    pub fn announced(&self) -> Option<(u64, Duration)> {
        let now = Instant::now();
        let announced = self.lock().announced.filter(|a| now < a.reset)?;
        Some((announced.left, announced.reset - now))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Plain counters and instants: a panic elsewhere cannot leave them half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// A permit at the announced pace (one is announced, its reset still ahead): what is
    /// left spread evenly over the time until the reset, from the last grant on. Read from the
    /// latest announcement each time, so the wait is never past its reset.
    fn pace(&mut self, now: Instant) -> Admission {
        let Some(announced) = self.announced.as_mut() else {
            return Admission::Wait(Duration::ZERO);
        };
        let reset = announced.reset;
        if announced.left == 0 {
            return Admission::Wait(reset - now);
        }
        // The last grant and what is left, evenly from that grant to the reset.
        let slots = u32::try_from(announced.left.saturating_add(1)).unwrap_or(u32::MAX);
        let next = self
            .last
            .map(|last| last + reset.saturating_duration_since(last) / slots);
        if let Some(next) = next.filter(|next| *next > now) {
            return Admission::Wait(next - now);
        }
        announced.left -= 1;
        self.last = Some(now);
        Admission::Granted
    }

    /// An attempt ended; `answer`: its headers, when the service answered.
    fn ended(&mut self, answer: Option<&HeaderMap>, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let Some(headers) = answer else {
            return; // No answer: nothing learnt.
        };
        let quota = RateLimitHeaders::from_headers(headers);
        // An answer that does not say (or not all of it): back to the fallback rate. A reset is
        // believed up to the cap on the service's hints, as a `retry-after` is: a header that
        // says "none left for a century" holds callers a minute, not until a restart.
        let in_flight = self.in_flight;
        self.announced =
            quota
                .remaining_requests
                .zip(quota.reset_requests)
                .map(|(remaining, reset)| Announced {
                    left: quota
                        .limit_requests
                        .map_or(remaining, |limit| remaining.min(limit))
                        .saturating_sub(in_flight),
                    reset: now + reset.min(defaults::MAX_RETRY_AFTER),
                });
    }
}

impl RateLimiter for AdaptiveLimiter {
    fn acquire(&self) -> LimiterFuture<Admission> {
        LimiterFuture::ready(Ok(self.try_acquire()))
    }

    fn cool_down(&self, pause: Duration) -> LimiterFuture<()> {
        self.cooldown.hold(pause);
        LimiterFuture::ready(Ok(()))
    }

    fn learns_from_answers(&self) -> bool {
        true
    }

    fn attempt_ended(&self, answer: Option<&HeaderMap>) {
        self.lock().ended(answer, Instant::now());
    }
}

impl fmt::Debug for AdaptiveLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdaptiveLimiter")
            .field("announced", &self.announced())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// 2 requests/s, one at a time, until the service says.
    fn limiter() -> AdaptiveLimiter {
        let two = Quota::per_second(NonZeroU32::new(2).unwrap()).allow_burst(NonZeroU32::MIN);
        AdaptiveLimiter::new(two)
    }

    fn answer(remaining: u64, reset: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit-requests", 100.into());
        h.insert("x-ratelimit-remaining-requests", remaining.into());
        h.insert("x-ratelimit-reset-requests", reset.parse().unwrap());
        h
    }

    /// Takes a permit and ends its attempt with `answer` at once.
    fn round_trip(limiter: &AdaptiveLimiter, answer: Option<&HeaderMap>) {
        assert_eq!(limiter.try_acquire(), Admission::Granted);
        limiter.attempt_ended(answer);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_word_from_the_service_the_fallback_rate() {
        let limiter = limiter();
        round_trip(&limiter, None);
        assert_eq!(limiter.try_acquire(), Admission::Wait(500 * MS));
        tokio::time::advance(500 * MS).await;
        round_trip(&limiter, Some(&HeaderMap::new()));
        assert_eq!(limiter.announced(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn what_is_left_is_spread_evenly_until_the_reset() {
        let limiter = limiter();
        round_trip(&limiter, Some(&answer(4, "1s")));
        assert_eq!(limiter.announced(), Some((4, 1000 * MS)));
        // Four left in a second: one every 250 ms, far above the fallback's 2/s (attempts
        // that end without an answer were granted all the same).
        for _ in 0..3 {
            round_trip(&limiter, None);
            assert_eq!(limiter.try_acquire(), Admission::Wait(250 * MS));
            tokio::time::advance(250 * MS).await;
        }
        round_trip(&limiter, Some(&answer(0, "250ms")));
        // None left: wait for the reset.
        assert_eq!(limiter.try_acquire(), Admission::Wait(250 * MS));
        tokio::time::advance(250 * MS).await;
        // Past the reset, nothing known: the fallback rate, until the next answer.
        assert_eq!(limiter.announced(), None);
        assert_eq!(limiter.try_acquire(), Admission::Granted);
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_in_flight_count_against_what_is_left() {
        let limiter = limiter();
        round_trip(&limiter, Some(&answer(3, "1s")));
        // Two go out; their answers have not come.
        assert_eq!(limiter.try_acquire(), Admission::Granted);
        tokio::time::advance(500 * MS).await;
        assert_eq!(limiter.try_acquire(), Admission::Granted);
        assert_eq!(limiter.announced(), Some((1, 500 * MS)));
        tokio::time::advance(200 * MS).await;
        // An answer the service wrote before it counted the one still in flight: one left
        // by its count, none once that one is deducted.
        limiter.attempt_ended(Some(&answer(1, "300ms")));
        assert_eq!(limiter.announced(), Some((0, 300 * MS)));
        assert_eq!(limiter.try_acquire(), Admission::Wait(300 * MS));
        // It ends without an answer: it may have been counted, so nothing is given back.
        limiter.attempt_ended(None);
        assert_eq!(limiter.announced(), Some((0, 300 * MS)));
        // The next answer, with nothing in flight, is taken as it is.
        tokio::time::advance(300 * MS).await;
        round_trip(&limiter, Some(&answer(5, "1s")));
        assert_eq!(limiter.announced(), Some((5, 1000 * MS)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_announcement_replaces_the_old_pace() {
        let limiter = limiter();
        // One left for a minute: granted, and the next would come in a minute.
        round_trip(&limiter, Some(&answer(1, "60s")));
        assert_eq!(limiter.try_acquire(), Admission::Granted);
        // Its answer: the quota was refilled, 49 left within a second. The pace is now one
        // every 20 ms (the last grant and 49 more in a second), not one a minute.
        limiter.attempt_ended(Some(&answer(49, "1s")));
        assert_eq!(limiter.announced(), Some((49, 1000 * MS)));
        assert_eq!(limiter.try_acquire(), Admission::Wait(20 * MS));
        tokio::time::advance(20 * MS).await;
        assert_eq!(limiter.try_acquire(), Admission::Granted);
    }

    #[tokio::test(start_paused = true)]
    async fn a_reset_is_believed_up_to_the_hint_cap() {
        let limiter = limiter();
        // None left until a reset no clock can reach (the header parses: hours are hours).
        round_trip(&limiter, Some(&answer(0, "3000000000000000h")));
        let cap = defaults::MAX_RETRY_AFTER;
        assert_eq!(limiter.announced(), Some((0, cap)));
        assert_eq!(limiter.try_acquire(), Admission::Wait(cap));
        tokio::time::advance(cap).await;
        assert_eq!(limiter.try_acquire(), Admission::Granted);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_never_passes_the_announced_reset() {
        let limiter = limiter();
        round_trip(&limiter, Some(&answer(2, "1s")));
        assert_eq!(limiter.try_acquire(), Admission::Granted);
        // It was to wait 500 ms; a reset in 100 ms, one left: spread from the last grant, the
        // next comes in 50 ms, well before the reset.
        limiter.attempt_ended(Some(&answer(1, "100ms")));
        assert_eq!(limiter.try_acquire(), Admission::Wait(50 * MS));
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_announced_limit_and_a_429_pauses_everyone() {
        let limiter = limiter();
        let mut over = answer(1_000, "1s");
        over.insert("x-ratelimit-limit-requests", 10.into());
        round_trip(&limiter, Some(&over));
        assert_eq!(limiter.announced(), Some((10, 1000 * MS)));
        limiter.cool_down(Duration::from_secs(2)).await.unwrap();
        assert_eq!(limiter.try_acquire(), Admission::Wait(2000 * MS));
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_following_the_service_uses_its_quota_without_a_429() {
        use futures_util::StreamExt;
        use openai_invites_mock::{FakeInvites, RequestQuota};

        let fake = FakeInvites::new();
        fake.set_quota(RequestQuota::new(20, Duration::from_secs(1)));
        // A fallback of 1 request/s: following the service is 20 times faster.
        let one = Quota::per_second(NonZeroU32::MIN).allow_burst(NonZeroU32::MIN);
        let client = crate::Client::builder()
            .admin_key(fake.admin_key())
            .transport(fake.service())
            .rate_limiter(AdaptiveLimiter::new(one))
            .build()
            .unwrap();
        let started = Instant::now();
        let calls = futures_util::stream::iter(0..200)
            .map(|_| client.list_invites(crate::ListInvites::new()))
            .buffer_unordered(8)
            .collect::<Vec<_>>()
            .await;
        assert!(calls.iter().all(Result::is_ok));
        let statuses: Vec<_> = fake.requests().iter().map(|r| r.status).collect();
        let refused = statuses
            .iter()
            .filter(|s| **s == Some(http::StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(refused.count(), 0);
        assert_eq!(statuses.len(), 200);
        // 200 requests at 20 a window: ten windows, the last one opened after 9 s.
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(9) && took < Duration::from_millis(10_500),
            "{took:?}"
        );
    }
}
