//! The limit and the pause on a real redis-server, shared by several limiters (each one stands
//! for a replica: its own connection, its own in-process state).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use openai_invites::layer::rate_limit::Admission;
use openai_invites::{Quota, RateLimiter};
use openai_invites_redis::RedisLimiter;
use support::redis_server::RedisServer;
use support::{nz, per_second};

fn replica(server: &RedisServer, quota: Quota) -> RedisLimiter {
    RedisLimiter::builder(server.url(), quota)
        .name("shared")
        // Generous: these tests are about the shared state, not about a slow machine.
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// Waits are lengthened by up to one emission interval (at most 50 ms), so that waiters wake
/// apart: the upper bounds below allow for it.
const SPREAD: Duration = Duration::from_millis(50);
/// One emission interval at 1000/s.
const MS: Duration = Duration::from_millis(1);

fn wait_of(admission: Admission) -> Duration {
    match admission {
        Admission::Wait(wait) => wait,
        Admission::Granted => panic!("expected a wait, got a permit"),
    }
}

#[tokio::test]
async fn permits_come_from_redis_and_its_keys_expire() {
    let server = RedisServer::start();
    let limiter = replica(&server, per_second(10, 2));
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    let wait = wait_of(limiter.acquire().await.unwrap());
    assert!(
        wait > Duration::from_millis(50) && wait <= Duration::from_millis(100) + SPREAD,
        "{wait:?}"
    );

    let mut redis = server.connection();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("{openai-invites:shared}:tat")
        .query(&mut redis)
        .unwrap();
    // The TAT is 200 ms ahead: it expires a second after that (less the time since).
    assert!((500..=1_200).contains(&ttl), "PTTL {ttl}");
    assert_eq!(limiter.store_failures(), 0);
}

#[tokio::test]
async fn concurrent_replicas_never_take_more_than_the_quota() {
    let server = RedisServer::start();
    // A burst of 100 and then one permit an hour: exactly 100 of the 200 asks may win.
    let quota = Quota::per_hour(nz(100));
    let granted = Arc::new(AtomicU32::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let limiter = replica(&server, quota);
        for _ in 0..50 {
            let (limiter, granted) = (limiter.clone(), Arc::clone(&granted));
            tasks.push(tokio::spawn(async move {
                if limiter.acquire().await.unwrap() == Admission::Granted {
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
async fn a_pause_from_one_replica_holds_every_replica() {
    let server = RedisServer::start();
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
    let server = RedisServer::start();
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
    let server = RedisServer::start();
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
async fn a_replica_asks_redis_once_for_a_permit_it_knows_is_not_free() {
    let server = RedisServer::start();
    let limiter = replica(&server, Quota::per_minute(nz(1)));
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    let before = server.evalsha_calls();
    let first = wait_of(limiter.acquire().await.unwrap());
    for _ in 0..20 {
        let wait = wait_of(limiter.acquire().await.unwrap());
        assert!(
            wait > Duration::from_secs(50) && wait <= first + SPREAD,
            "{wait:?}"
        );
    }
    assert_eq!(server.evalsha_calls() - before, 1);
    // Another replica has not learnt it yet: it asks.
    let other = replica(&server, Quota::per_minute(nz(1)));
    assert!(wait_of(other.acquire().await.unwrap()) > Duration::from_secs(50));
    assert_eq!(server.evalsha_calls() - before, 2);
}
