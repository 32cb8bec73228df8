//! The `RateLimiter` contract with limiters whose answers need I/O, as a limiter backed by a
//! remote store's would: permits that arrive after an await, a store that fails, a call dropped
//! while it waits, and a cooldown shared through the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openai_invites::layer::rate_limit::{
    Admission, LimiterFuture, LimiterUnavailable, RateLimiter,
};
use openai_invites::{ErrorKind, InviteRequest, InviteRole, ListInvites};
use openai_invites_mock::{FakeInvites, Fault};
use tokio::sync::Notify;
use tokio::time::Instant;

/// A "remote" limiter: every answer takes a round trip of `latency`; the first `wait_first`
/// answers say "wait 50 ms"; the others grant. It counts the permits it granted and records
/// the cooldowns it was told about.
#[derive(Clone, Default)]
struct Remote {
    latency: Duration,
    wait_first: u32,
    asked: Arc<AtomicU32>,
    granted: Arc<AtomicU32>,
    pauses: Arc<Mutex<Vec<Duration>>>,
}

impl RateLimiter for Remote {
    fn acquire(&self) -> LimiterFuture<Admission> {
        let this = self.clone();
        LimiterFuture::later(async move {
            tokio::time::sleep(this.latency).await;
            // The store decides when the answer arrives; a dropped call never gets here.
            if this.asked.fetch_add(1, Ordering::SeqCst) < this.wait_first {
                return Ok(Admission::Wait(Duration::from_millis(50)));
            }
            this.granted.fetch_add(1, Ordering::SeqCst);
            Ok(Admission::Granted)
        })
    }

    fn cool_down(&self, pause: Duration) -> LimiterFuture<()> {
        let this = self.clone();
        LimiterFuture::later(async move {
            tokio::time::sleep(this.latency).await;
            this.pauses.lock().unwrap().push(pause);
            Ok(())
        })
    }
}

#[tokio::test(start_paused = true)]
async fn permits_that_arrive_after_an_await() {
    let fake = FakeInvites::new();
    let limiter = Remote {
        latency: Duration::from_millis(2),
        wait_first: 1,
        ..Remote::default()
    };
    let client = support::in_process_builder(&fake)
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    let started = Instant::now();
    client.list_invites(ListInvites::new()).await.unwrap();
    // A round trip, a 50 ms wait, another round trip.
    assert_eq!(started.elapsed(), Duration::from_millis(54));
    assert_eq!(limiter.asked.load(Ordering::SeqCst), 2);
    assert_eq!(limiter.granted.load(Ordering::SeqCst), 1);
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_store_that_fails_fails_the_call_with_nothing_sent() {
    struct Down;
    impl RateLimiter for Down {
        fn acquire(&self) -> LimiterFuture<Admission> {
            LimiterFuture::later(async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Err(LimiterUnavailable::new("connection refused by the store"))
            })
        }
        fn cool_down(&self, _: Duration) -> LimiterFuture<()> {
            LimiterFuture::ready(Ok(()))
        }
        fn store_failures(&self) -> u64 {
            1
        }
    }
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .rate_limiter(Down)
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimiterUnavailable, "{err}");
    assert!(err.is_not_sent() && !err.is_outcome_unknown());
    assert_eq!(err.attempts(), 0);
    // The store's reason once, though the limiter's own message quotes it too.
    let text = err.to_string();
    assert_eq!(
        text.matches("connection refused by the store").count(),
        1,
        "{text}"
    );
    assert!(std::error::Error::source(&err).is_none());
    assert_eq!(fake.request_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_call_dropped_while_it_waits_takes_no_permit() {
    /// Grants only once `open` is notified.
    #[derive(Clone, Default)]
    struct Gate {
        open: Arc<Notify>,
        granted: Arc<AtomicU32>,
    }
    impl RateLimiter for Gate {
        fn acquire(&self) -> LimiterFuture<Admission> {
            let this = self.clone();
            LimiterFuture::later(async move {
                this.open.notified().await;
                this.granted.fetch_add(1, Ordering::SeqCst);
                Ok(Admission::Granted)
            })
        }
        fn cool_down(&self, _: Duration) -> LimiterFuture<()> {
            LimiterFuture::ready(Ok(()))
        }
    }
    let fake = FakeInvites::new();
    let gate = Gate::default();
    let client = support::in_process_builder(&fake)
        .rate_limiter(gate.clone())
        .build()
        .unwrap();
    let waiting = tokio::time::timeout(
        Duration::from_secs(1),
        client.list_invites(ListInvites::new()),
    );
    assert!(waiting.await.is_err(), "the call was still waiting");
    assert_eq!(gate.granted.load(Ordering::SeqCst), 0);
    assert_eq!(fake.request_count(), 0);

    // The next call gets the permit, and only it.
    let call = tokio::spawn(client.list_invites(ListInvites::new()));
    tokio::task::yield_now().await;
    gate.open.notify_one();
    call.await.unwrap().unwrap();
    assert_eq!(gate.granted.load(Ordering::SeqCst), 1);
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_cooldown_is_shared_through_the_store_before_the_answer_goes_up() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::rate_limited(700));
    let limiter = Remote {
        latency: Duration::from_millis(3),
        ..Remote::default()
    };
    let client = support::in_process_builder(&fake)
        .rate_limiter(limiter.clone())
        .max_retry_after(Duration::from_millis(500))
        .disable_retries()
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    // The hint, capped at max_retry_after, reached the store before the call returned.
    assert_eq!(
        *limiter.pauses.lock().unwrap(),
        [Duration::from_millis(500)]
    );
}

/// A store whose answer never comes.
struct Hung;

impl RateLimiter for Hung {
    fn acquire(&self) -> LimiterFuture<Admission> {
        LimiterFuture::later(std::future::pending())
    }
    fn cool_down(&self, _: Duration) -> LimiterFuture<()> {
        LimiterFuture::ready(Ok(()))
    }
}

#[tokio::test(start_paused = true)]
async fn a_create_the_limiter_held_until_the_deadline_was_never_sent() {
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .rate_limiter(Hung)
        .total_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let ana = InviteRequest::new("ana@example.com", InviteRole::Reader);
    let err = client.invite_user(ana).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
    // Nothing went past the limiter: no attempt, nothing sent, nothing unknown.
    assert_eq!(fake.request_count(), 0);
    assert_eq!(err.attempts(), 0, "{err}");
    assert!(err.is_not_sent(), "{err}");
    assert!(!err.is_outcome_unknown(), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_create_admitted_after_a_wait_and_cut_short_in_flight_is_unknown() {
    let limiter = Remote {
        latency: Duration::from_secs(1),
        ..Remote::default()
    };
    let client = openai_invites::Client::builder()
        .admin_key("sk-admin-test")
        .transport(support::never_answers())
        .rate_limiter(limiter)
        .total_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let ana = InviteRequest::new("ana@example.com", InviteRole::Reader);
    let err = client.invite_user(ana).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
    // Admitted after a second, then in flight when the call ran out of time.
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(!err.is_not_sent(), "{err}");
    assert!(err.is_outcome_unknown(), "{err}");
}
