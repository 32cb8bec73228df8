//! The shared rate limiter: clones share it, callers wait (never fail), 429 hints pause
//! everyone, and a cancelled call leaves nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::num::NonZeroU32;
use std::time::Duration;

use openai_invites::{Client, InviteUser, ListInvites, Operation, Quota};
use openai_invites_mock::{FakeInvites, Fault};
use tokio::time::Instant;

fn per_second(n: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(n).unwrap())
}

fn client(fake: &FakeInvites, quota: Quota) -> Client {
    support::in_process_builder(fake)
        .rate_limit(quota)
        .build()
        .unwrap()
}

/// 20 calls from 4 clones, 5 each, at 10/s with a burst of 1.
async fn twenty_calls_from_four_clones(fake: &FakeInvites) {
    let client = client(fake, per_second(10).allow_burst(NonZeroU32::MIN));
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let clone = client.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    clone.list_invites(ListInvites::new()).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(fake.request_count(), 20);
}

#[tokio::test(start_paused = true)]
async fn twenty_calls_at_ten_per_second_across_four_clones() {
    let fake = FakeInvites::new();
    let started = Instant::now();
    twenty_calls_from_four_clones(&fake).await;
    // One at once, then one every 100 ms: 19 waits.
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
    for pair in fake.requests().windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(99));
    }
}

#[tokio::test]
async fn realtime_quota_holds_across_clones() {
    // The same in real time, with generous bounds: it must take at least 1.7 s.
    let fake = FakeInvites::new();
    let started = std::time::Instant::now();
    twenty_calls_from_four_clones(&fake).await;
    assert!(
        started.elapsed() >= Duration::from_millis(1700),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn separate_clients_do_not_share_a_limiter() {
    let fake = FakeInvites::new();
    let a = client(&fake, per_second(1));
    let b = client(&fake, per_second(1));
    let started = Instant::now();
    a.list_invites(ListInvites::new()).await.unwrap();
    b.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
    a.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn retries_cost_quota_too() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503));
    let client = support::in_process_builder(&fake)
        .rate_limit(per_second(1))
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    client.list_invites(ListInvites::new()).await.unwrap();
    // The retry's 10 ms backoff is not enough: the second attempt waits for its permit.
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_429_hint_pauses_every_caller() {
    let fake = FakeInvites::new();
    fake.push_fault(
        Fault::rate_limited(500).matching(openai_invites_mock::Match::Operation(InviteUser::META)),
    );
    let client = client(&fake, per_second(1000));
    let started = Instant::now();

    // Task A meets the 429 and will retry after 500 ms.
    let a = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .invite_user(openai_invites::InviteRequest::new(
                    "a@example.com",
                    openai_invites::InviteRole::Reader,
                ))
                .await
        })
    };
    // Task B starts 100 ms later: it must wait for the cooldown too, not go straight through.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let b = {
        let client = client.clone();
        tokio::spawn(async move { client.list_invites(ListInvites::new()).await })
    };
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();

    let list = fake
        .requests()
        .into_iter()
        .find(|r| r.operation == Some("listInvites"))
        .unwrap();
    assert!(
        list.at - started >= Duration::from_millis(500),
        "B was let through during the cooldown, at {:?}",
        list.at - started
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_dropped_mid_backoff_leaves_nothing_behind() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).times(usize::MAX));
    let client = client(&fake, per_second(1));

    // Dropped while sleeping between attempts.
    let call = client.retrieve_invite("invite-x");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), call)
            .await
            .is_err()
    );
    assert_eq!(fake.request_count(), 1);
    // No background work: time passes, nothing more is sent.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(fake.request_count(), 1);

    // Dropped while waiting for a permit: no permit is consumed.
    fake.clear_faults();
    let started = Instant::now();
    client.list_invites(ListInvites::new()).await.unwrap(); // takes the permit
    let waiting = client.list_invites(ListInvites::new());
    assert!(
        tokio::time::timeout(Duration::from_millis(500), waiting)
            .await
            .is_err()
    );
    // The next call gets the permit that the dropped one did not take: at 1 s, not 2 s.
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    assert_eq!(fake.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_out_of_quota_429_does_not_pause_others() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(429).header("retry-after", "30").json(
        serde_json::json!({"error": {"message": "quota", "type": "insufficient_quota",
                                               "param": null, "code": "insufficient_quota"}}),
    ));
    let client = client(&fake, per_second(1000));
    let started = Instant::now();
    client.list_invites(ListInvites::new()).await.unwrap_err();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_wait_longer_than_the_call_has_fails_at_once_and_sends_nothing() {
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .rate_limit(per_second(1))
        .total_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let started = Instant::now();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "no sleep into the deadline"
    );
    assert_eq!(err.kind(), openai_invites::ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(err.attempts(), 0);
    assert!(err.is_not_sent() && err.is_retryable() && !err.is_outcome_unknown());
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_hour_long_429_fails_the_next_call_of_another_operation_at_once() {
    // One 429 asking for an hour on one operation; the cooldown it leaves is capped at
    // `max_retry_after` (60 s by default). The next call, of another operation, has 3 s in
    // all: it fails at once, rate limited, with the capped pause, and sends nothing.
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(429).header("retry-after", "3600"));
    let client = support::in_process_builder(&fake)
        .total_timeout(Duration::from_secs(3))
        .max_retry_after(Duration::from_secs(60))
        .build()
        .unwrap();
    let first = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(first.retry_after(), Some(Duration::from_secs(3600)));
    let started = Instant::now();
    let err = client.retrieve_invite("invite-abc").await.unwrap_err();
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "no sleep into the total timeout"
    );
    assert_eq!(err.kind(), openai_invites::ErrorKind::RateLimited, "{err}");
    assert_eq!(err.operation(), "retrieveInvite");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(err.attempts(), 0);
    assert!(err.is_not_sent() && !err.is_timeout());
    assert!(err.to_string().contains("retry after 60s"), "{err}");
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_paced_limiter_spaces_every_call_and_refuses_a_slot_past_the_deadline() {
    use openai_invites::ErrorKind;
    use openai_invites::layer::rate_limit::PacedLimiter;

    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .rate_limiter(PacedLimiter::new(per_second(10)))
        .total_timeout(Duration::from_millis(450))
        .build()
        .unwrap();
    let started = Instant::now();
    // Six callers at once: slots at 0, 100, ... 500 ms; the last is past its deadline.
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let clone = client.clone();
            tokio::spawn(async move { clone.list_invites(ListInvites::new()).await })
        })
        .collect();
    let mut refused = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
                assert!(e.is_not_sent(), "{e}");
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 1);
    assert_eq!(fake.request_count(), 5);
    let times: Vec<_> = fake.requests().iter().map(|r| r.at - started).collect();
    assert_eq!(times, [0, 100, 200, 300, 400].map(Duration::from_millis));
}

#[tokio::test(start_paused = true)]
async fn after_a_429_pause_paced_callers_go_out_one_interval_apart() {
    use openai_invites::layer::rate_limit::PacedLimiter;

    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .rate_limiter(PacedLimiter::new(per_second(10)))
        .build()
        .unwrap();
    // The first request is answered 429 with a 1 s hint while three more wait for their slots.
    fake.push_fault(Fault::rate_limited(1000));
    let started = Instant::now();
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let clone = client.clone();
            tokio::spawn(async move { clone.list_invites(ListInvites::new()).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let times: Vec<_> = fake.requests().iter().map(|r| r.at - started).collect();
    assert_eq!(times.len(), 5, "{times:?}");
    assert_eq!(times[0], Duration::ZERO);
    // After the pause, never two requests closer than the rate's interval.
    assert!(times[1] >= Duration::from_secs(1), "{times:?}");
    for pair in times[1..].windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(100), "{times:?}");
    }
}
