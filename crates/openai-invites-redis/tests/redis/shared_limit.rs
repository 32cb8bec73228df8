//! The limit and the pause on a real redis-server, shared by several limiters (each one stands
//! for a replica: its own connection, its own in-process state).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use openai_invites::layer::rate_limit::Admission;
use openai_invites::{Quota, RateLimiter};
use openai_invites_redis::RedisLimiter;
use tokio::time::Instant;

use crate::support::redis_server::RedisServer;
use crate::support::{nz, per_second};

fn replica(server: &RedisServer, quota: Quota) -> RedisLimiter {
    RedisLimiter::builder(server.url(), quota)
        .name("shared")
        // Generous: these tests are about the shared state, not about a slow machine.
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// One emission interval at 1000/s.
const MS: Duration = Duration::from_millis(1);

fn wait_of(admission: Admission) -> Duration {
    match admission {
        Admission::Wait(wait) => wait,
        Admission::Granted => panic!("expected a wait, got a permit"),
    }
}

/// Loads the script into the server (once per server, by a first EVALSHA that meets
/// NOSCRIPT), on a key of its own, so that what a test counts starts after it.
async fn load_script(server: &RedisServer) {
    let limiter = RedisLimiter::builder(server.url(), per_second(1000, 1000))
        .name("load-script")
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
}

/// Two replicas at one permit every 200 ms, in bursts of 1, after the first permit.
async fn two_after_one_permit(server: &RedisServer) -> (RedisLimiter, RedisLimiter) {
    let quota = per_second(5, 1);
    let (a, b) = (replica(server, quota), replica(server, quota));
    assert_eq!(a.acquire().await.unwrap(), Admission::Granted);
    (a, b)
}

#[tokio::test]
async fn permits_come_from_redis_and_its_keys_expire() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let limiter = replica(&server, per_second(10, 2));
    let asked = Instant::now();
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    // The burst is spent: the next permit is reserved 100 ms after the first, and waited for
    // here (never earlier: the slot is on Redis's clock, the wait starts from its answer).
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    let waited = asked.elapsed();
    assert!(waited >= Duration::from_millis(99), "{waited:?}");

    let mut redis = server.connection();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("{openai-invites:shared}:tat")
        .query(&mut redis)
        .unwrap();
    // The TAT is 300 ms after the first permit: it expires a second after that.
    assert!((500..=1_300).contains(&ttl), "PTTL {ttl}");
    assert_eq!(limiter.store_failures(), 0);
}

#[tokio::test]
async fn each_permit_is_one_round_trip_and_never_early() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let quota = per_second(50, 1);
    load_script(&server).await;
    let before = server.evalsha_calls();

    // 4 replicas of 5 callers each ask at once.
    let mut callers = Vec::new();
    for _ in 0..4 {
        let limiter = replica(&server, quota);
        for _ in 0..5 {
            let limiter = limiter.clone();
            callers.push(tokio::spawn(async move {
                let admission = limiter.acquire().await.unwrap();
                (admission, Instant::now())
            }));
        }
    }
    let mut granted_at = Vec::new();
    for caller in callers {
        let (admission, at) = caller.await.unwrap();
        assert_eq!(admission, Admission::Granted);
        granted_at.push(at);
    }
    assert_eq!(server.evalsha_calls() - before, 20, "one EVALSHA a permit");
    // Each waited for its own slot, 20 ms apart on Redis's clock: 20 permits span 19
    // intervals (less what the replies' latencies may shave off).
    let first = granted_at.iter().min().unwrap();
    let last = granted_at.iter().max().unwrap();
    let span = *last - *first;
    assert!(span >= Duration::from_millis(19 * 20 - 15), "{span:?}");
}

#[tokio::test]
async fn concurrent_replicas_never_take_more_than_the_quota() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    // A burst of 100 and then one permit an hour: exactly 100 of the 200 asks may win now
    // (the others wait for slots an hour away, and are given up).
    let quota = Quota::per_hour(nz(100));
    let granted = Arc::new(AtomicU32::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let limiter = replica(&server, quota);
        for _ in 0..50 {
            let (limiter, granted) = (limiter.clone(), Arc::clone(&granted));
            tasks.push(tokio::spawn(async move {
                let now = tokio::time::timeout(Duration::from_secs(1), limiter.acquire()).await;
                if now.is_ok_and(|admission| admission.unwrap() == Admission::Granted) {
                    granted.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(granted.load(Ordering::Relaxed), 100);
}

#[tokio::test]
async fn a_call_dropped_while_it_waits_costs_one_interval() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let started = Instant::now();
    let (a, b) = two_after_one_permit(&server).await;
    let before = server.tat("shared");
    // The caller reserves the slot 200 ms ahead, then gives up before it comes.
    let dropped = tokio::time::timeout(Duration::from_millis(100), a.acquire()).await;
    assert!(dropped.is_err(), "{dropped:?}");
    assert_eq!(
        server.tat("shared") - before,
        200_000,
        "one interval, no more"
    );
    // The next caller, of any replica, gets the slot after it: 400 ms after the first.
    assert_eq!(b.acquire().await.unwrap(), Admission::Granted);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(399), "{waited:?}");
}

#[tokio::test]
async fn a_reserved_slot_inside_a_pause_is_not_used() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (a, b) = two_after_one_permit(&server).await;
    let waiting = tokio::spawn({
        let a = a.clone();
        async move { a.acquire().await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    // A 429 seen by this replica while its caller waits for the slot 200 ms ahead.
    a.cool_down(Duration::from_millis(600)).await.unwrap();
    let wait = wait_of(waiting.await.unwrap());
    assert!(wait > Duration::from_millis(300), "{wait:?}");
    // Every other replica is held too.
    assert!(wait_of(b.acquire().await.unwrap()) > Duration::from_millis(300));
}

/// Spawns `callers` that each ask `limiter` for one permit.
fn ask_at_once(limiter: &RedisLimiter, callers: usize) -> Vec<tokio::task::JoinHandle<()>> {
    (0..callers)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let _ = limiter.acquire().await;
            })
        })
        .collect()
}

/// Waits (up to a second) until `server` has run `count` more EVALSHA than `before`.
async fn until_asked(server: &RedisServer, before: u64, count: u64) {
    let give_up = Instant::now() + Duration::from_secs(1);
    while server.evalsha_calls() - before < count && Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_replica_holds_a_few_slots_and_its_other_callers_wait_their_turn() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    load_script(&server).await;
    // One permit every 500 ms: a replica holds 2 slots at once (its lead of 20 ms is less
    // than one interval).
    let limiter = replica(&server, per_second(2, 1));
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    let before = server.evalsha_calls();
    let callers = ask_at_once(&limiter, 5);
    // Until the first of their slots comes, only 2 callers have asked.
    until_asked(&server, before, 2).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.evalsha_calls() - before, 2);
    for caller in callers {
        caller.abort();
    }
}

#[tokio::test]
async fn busy_replicas_share_the_quota_equally_whatever_their_callers() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    load_script(&server).await;
    // 100/s, 2 slots held per replica: A's 8 callers and B's 2 alternate, two slots each.
    let quota = per_second(100, 1);
    let left = Arc::new(AtomicU32::new(40));
    let mut callers = Vec::new();
    for (replica_index, count) in [(0, 8), (1, 2)] {
        let limiter = replica(&server, quota);
        for _ in 0..count {
            let (limiter, left) = (limiter.clone(), Arc::clone(&left));
            callers.push(tokio::spawn(async move {
                let mut granted = 0;
                loop {
                    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
                    let counted = left
                        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
                    if counted.is_err() {
                        return (replica_index, granted);
                    }
                    granted += 1;
                }
            }));
        }
    }
    let mut per_replica = [0, 0];
    for caller in callers {
        let (replica_index, granted) = caller.await.unwrap();
        per_replica[replica_index] += granted;
    }
    // By callers, B would get 1 in 5 (8); by replica, half (20), give or take the slots held.
    assert!((16..=24).contains(&per_replica[1]), "{per_replica:?}");
}

#[tokio::test]
async fn a_call_dropped_while_it_waits_for_its_turn_costs_nothing() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    load_script(&server).await;
    let limiter = replica(&server, per_second(2, 1));
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    let before = (server.evalsha_calls(), server.tat("shared"));
    // Two callers hold this replica's two turns (slots 500 and 1000 ms ahead)...
    let holders = ask_at_once(&limiter, 2);
    until_asked(&server, before.0, 2).await;
    // ...so a third waits for its turn, and gives up.
    let third = tokio::time::timeout(Duration::from_millis(50), limiter.acquire()).await;
    assert!(third.is_err(), "{third:?}");
    assert_eq!(
        server.tat("shared") - before.1,
        1_000_000,
        "two slots, not three"
    );
    for holder in holders {
        holder.abort();
    }
}

#[tokio::test]
async fn a_pause_from_one_replica_holds_every_replica() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let quota = per_second(1000, 1000);
    let (a, b, c) = (
        replica(&server, quota),
        replica(&server, quota),
        replica(&server, quota),
    );
    assert_eq!(b.acquire().await.unwrap(), Admission::Granted);

    a.cool_down(Duration::from_millis(600)).await.unwrap();
    let wait = wait_of(b.acquire().await.unwrap());
    assert!(
        wait > Duration::from_millis(300) && wait <= Duration::from_millis(600) + MS,
        "{wait:?}"
    );
    // A shorter pause does not shorten it, for anyone.
    b.cool_down(Duration::from_millis(50)).await.unwrap();
    let wait = wait_of(c.acquire().await.unwrap());
    assert!(wait > Duration::from_millis(200), "{wait:?}");

    tokio::time::sleep(Duration::from_millis(650)).await;
    for replica in [&a, &b, &c] {
        assert_eq!(replica.acquire().await.unwrap(), Admission::Granted);
    }
}

#[tokio::test]
async fn a_shared_pause_is_capped() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let quota = per_second(1000, 1000);
    let a = RedisLimiter::builder(server.url(), quota)
        .name("shared")
        .timeout(Duration::from_secs(2))
        .max_pause(Duration::from_millis(800))
        .build()
        .unwrap();
    let b = replica(&server, quota);
    a.cool_down(Duration::from_secs(3600)).await.unwrap();
    let wait = wait_of(b.acquire().await.unwrap());
    assert!(
        wait > Duration::from_millis(500) && wait <= Duration::from_millis(800) + MS,
        "{wait:?}"
    );
}

#[tokio::test]
async fn a_flushed_script_cache_is_loaded_again() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let limiter = replica(&server, per_second(1000, 1000));
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    limiter.cool_down(Duration::from_millis(1)).await.unwrap();

    let mut redis = server.connection();
    // How many scripts the server has cached.
    let loaded = |redis: &mut redis::Connection| -> usize {
        let info: String = redis::cmd("INFO").arg("memory").query(redis).unwrap();
        info.lines()
            .find_map(|l| l.strip_prefix("number_of_cached_scripts:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(loaded(&mut redis), 2);
    let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut redis).unwrap();
    assert_eq!(loaded(&mut redis), 0);

    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    limiter.cool_down(Duration::from_millis(1)).await.unwrap();
    assert_eq!(loaded(&mut redis), 2);
    assert_eq!(limiter.store_failures(), 0, "NOSCRIPT is no failure");
}

#[tokio::test]
async fn a_replica_asks_redis_once_for_a_pause_it_has_learnt() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let quota = per_second(1000, 1000);
    let (a, b) = (replica(&server, quota), replica(&server, quota));
    load_script(&server).await;
    a.cool_down(Duration::from_secs(60)).await.unwrap();
    let before = server.evalsha_calls();
    let first = wait_of(b.acquire().await.unwrap());
    for _ in 0..20 {
        let wait = wait_of(b.acquire().await.unwrap());
        assert!(wait > Duration::from_secs(50) && wait <= first, "{wait:?}");
    }
    assert_eq!(server.evalsha_calls() - before, 1);
}
