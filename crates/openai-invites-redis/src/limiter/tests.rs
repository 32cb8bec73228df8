//! A caller's deadline and a replica's turns against a real `redis-server`: a slot further
//! away than the caller can wait is never reserved.
#![allow(clippy::unwrap_used)]

use std::num::NonZeroU32;

use super::*;

use crate::redis_server::RedisServer;

fn limiter(server: &RedisServer) -> RedisLimiter {
    // One permit every 200 ms, bursts of 1: a replica holds 2 slots at once.
    let quota = Quota::per_second(NonZeroU32::new(5).unwrap()).allow_burst(NonZeroU32::MIN);
    RedisLimiter::builder(server.url(), quota)
        .name("deadline")
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

#[test]
fn a_replica_holds_twenty_ms_of_slots_at_least_two() {
    let turns = |per_second: u32| {
        turns_of(Gcra::of(Quota::per_second(
            NonZeroU32::new(per_second).unwrap(),
        )))
    };
    assert_eq!(turns(1), 2);
    assert_eq!(turns(50), 2);
    assert_eq!(turns(200), 4);
    assert_eq!(turns(500), 10);
    assert_eq!(turns(u32::MAX), 20_000); // one permit a microsecond
}

/// A limiter with one permit taken, and the TAT then.
async fn after_one_permit(server: &RedisServer) -> (RedisLimiter, u64) {
    let limiter = limiter(server);
    assert_eq!(
        limiter.acquire_within(None).await.unwrap(),
        Admission::Granted
    );
    (limiter, server.tat("deadline"))
}

#[tokio::test]
async fn a_caller_that_cannot_wait_for_its_slot_is_refused_without_reserving() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (limiter, before) = after_one_permit(&server).await;

    // The next slot is about 200 ms away: a caller with 40 ms left is told the whole wait,
    // which the rate-limit layer turns into a refusal, and nothing is reserved.
    let left = Duration::from_millis(40);
    let Admission::Wait(wait) = limiter.acquire_within(Some(left)).await.unwrap() else {
        panic!("a slot was granted beyond the caller's deadline");
    };
    assert!(wait > left, "{wait:?}");
    assert_eq!(server.tat("deadline"), before, "nothing reserved");

    // A caller with time enough gets that same slot.
    let asked = tokio::time::Instant::now();
    assert_eq!(
        limiter
            .acquire_within(Some(Duration::from_secs(1)))
            .await
            .unwrap(),
        Admission::Granted
    );
    assert!(asked.elapsed() >= Duration::from_millis(40));
    assert_eq!(server.tat("deadline") - before, 200_000);
}

#[tokio::test]
async fn the_time_spent_waiting_for_a_turn_counts_against_the_deadline() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (limiter, before) = after_one_permit(&server).await;
    // Two callers hold this replica's two turns, for the slots 200 and 400 ms ahead.
    let holders: Vec<_> = (0..2)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.acquire_within(None).await.unwrap() })
        })
        .collect();
    let give_up = tokio::time::Instant::now() + Duration::from_secs(1);
    while server.tat("deadline") - before < 400_000 && tokio::time::Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A caller with 500 ms left gets its turn when the first slot comes, about 200 ms later,
    // and the next slot is then 400 ms further: more than the 300 ms it has left, so it is
    // refused and reserves nothing (counted from when it asked, it would have fitted).
    let Admission::Wait(wait) = limiter
        .acquire_within(Some(Duration::from_millis(500)))
        .await
        .unwrap()
    else {
        panic!("a slot was granted beyond the caller's deadline");
    };
    assert!(wait > Duration::from_millis(300), "{wait:?}");
    assert_eq!(
        server.tat("deadline") - before,
        400_000,
        "the two holders' slots only"
    );
    for holder in holders {
        holder.abort();
    }
}
