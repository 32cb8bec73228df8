//! Redis down or slow: each policy answers, no call hangs, failures are counted, one warning
//! per outage, and the shared limit comes back with Redis.

use std::time::{Duration, Instant};

use crate::support::events;
use crate::support::redis_server::RedisServer;
use crate::support::{nothing_listens, nz, per_second};
use openai_invites::RateLimiter;
use openai_invites::layer::rate_limit::Admission;
use openai_invites_redis::{RedisLimiter, StoreDownPolicy, StoreError};
use tracing::Level;

const TIMEOUT: Duration = Duration::from_millis(100);
const PROBE: Duration = Duration::from_millis(100);
/// Far more than one timeout: an answer later than this would be a hang.
const NO_HANG: Duration = Duration::from_secs(2);

const WARNING: &str = "unavailable";
const RECOVERY: &str = "is back";

/// Permits granted by `limiter` when asked `asks` times at once.
async fn granted(limiter: &RedisLimiter, asks: usize) -> usize {
    let mut granted = 0;
    for _ in 0..asks {
        if limiter.acquire().await.unwrap() == Admission::Granted {
            granted += 1;
        }
    }
    granted
}

async fn tat_in_redis(server: &RedisServer) -> bool {
    let mut redis = server.connection();
    redis::cmd("EXISTS")
        .arg("{openai-invites:outage}:tat")
        .query::<bool>(&mut redis)
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn redis_killed_mid_run_falls_back_then_recovers() {
    let (events, _guard) = events::capture();
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    // 4/s in bursts of 20 for 4 replicas: 1/s in bursts of 5 each while Redis is down (slow
    // enough that no permit is replenished while the test counts).
    let limiter = RedisLimiter::builder(server.url(), per_second(4, 20))
        .name("outage")
        .timeout(TIMEOUT)
        .probe_interval(PROBE)
        .replicas(nz(4))
        .build()
        .unwrap();
    assert_eq!(granted(&limiter, 20).await, 20); // the whole shared burst
    assert!(tat_in_redis(&server).await);

    server.kill();
    let started = Instant::now();
    // The first ask fails over Redis, the rest go straight to the fallback; the fallback's
    // burst is this replica's share of the quota's.
    assert_eq!(granted(&limiter, 20).await, 5);
    assert!(started.elapsed() < NO_HANG, "{:?}", started.elapsed());
    assert!(limiter.is_store_down());
    assert!(limiter.store_failures() >= 1);

    // More asks, across several probes, while Redis stays down: still one warning.
    tokio::time::sleep(PROBE * 3).await;
    let _ = granted(&limiter, 5).await;
    tokio::time::sleep(PROBE * 2).await;
    let _ = granted(&limiter, 5).await;
    let failures = limiter.store_failures();
    assert!(failures >= 2, "{failures} failures: the probes count too");
    assert_eq!(events.count(Level::WARN, WARNING), 1, "{:?}", events.all());

    server.restart();
    let back = Instant::now();
    while limiter.is_store_down() {
        assert!(back.elapsed() < Duration::from_secs(10), "never recovered");
        tokio::time::sleep(PROBE / 2).await;
        let _ = limiter.acquire().await.unwrap();
    }
    // The permits come from Redis again (it restarted empty: a whole new burst, of which
    // the probe took one).
    assert!(tat_in_redis(&server).await);
    assert_eq!(granted(&limiter, 19).await, 19);
    // The next is a slot one interval (250 ms) ahead.
    let asked = Instant::now();
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);
    assert!(
        asked.elapsed() >= Duration::from_millis(200),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(events.count(Level::INFO, RECOVERY), 1, "{:?}", events.all());
    assert_eq!(events.count(Level::WARN, WARNING), 1, "{:?}", events.all());
}

#[tokio::test]
async fn a_frozen_redis_times_out_and_falls_back() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let limiter = RedisLimiter::builder(server.url(), per_second(10, 10))
        .name("outage")
        .timeout(TIMEOUT)
        .probe_interval(PROBE)
        .replicas(nz(2))
        .build()
        .unwrap();
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted);

    server.freeze();
    let started = Instant::now();
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted); // from the fallback
    let took = started.elapsed();
    assert!(took >= TIMEOUT && took < NO_HANG, "{took:?}");
    assert_eq!(limiter.store_failures(), 1);

    server.thaw();
    tokio::time::sleep(PROBE * 2).await;
    let _ = limiter.acquire().await.unwrap();
    assert!(!limiter.is_store_down());
}

#[tokio::test]
async fn a_pause_still_holds_this_replica_while_redis_is_down() {
    let limiter = RedisLimiter::builder(nothing_listens(), per_second(100, 100))
        .timeout(TIMEOUT)
        .build()
        .unwrap();
    let told = limiter.cool_down(Duration::from_millis(500)).await;
    assert!(told.is_ok(), "the fallback holds the pause: {told:?}");
    let Admission::Wait(wait) = limiter.acquire().await.unwrap() else {
        panic!("the pause must hold")
    };
    assert!(wait > Duration::from_millis(300), "{wait:?}");
    assert_eq!(limiter.store_failures(), 1);
}

#[tokio::test]
async fn deny_answers_limiter_unavailable_at_once() {
    let limiter = RedisLimiter::builder(nothing_listens(), per_second(10, 10))
        .timeout(TIMEOUT)
        .on_store_down(StoreDownPolicy::Deny)
        .build()
        .unwrap();
    for _ in 0..10 {
        let started = Instant::now();
        let error = limiter.acquire().await.unwrap_err();
        assert!(started.elapsed() < NO_HANG);
        let source = std::error::Error::source(&error).unwrap();
        assert!(source.downcast_ref::<StoreError>().is_some(), "{source}");
    }
    // The first ask failed over Redis; the others were answered without asking it.
    assert_eq!(limiter.store_failures(), 1);
    assert!(limiter.cool_down(Duration::from_secs(1)).await.is_err());
}

#[tokio::test]
async fn allow_lets_every_call_through() {
    let limiter = RedisLimiter::builder(nothing_listens(), per_second(1, 1))
        .timeout(TIMEOUT)
        .on_store_down(StoreDownPolicy::Allow)
        .build()
        .unwrap();
    assert_eq!(granted(&limiter, 50).await, 50);
    assert_eq!(limiter.store_failures(), 1);
}

#[tokio::test]
async fn a_limiter_built_while_redis_is_down_connects_when_it_comes_up() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let url = server.url();
    server.kill();
    let limiter = RedisLimiter::builder(url, per_second(10, 1))
        .name("outage")
        .timeout(TIMEOUT)
        .probe_interval(PROBE)
        .build()
        .unwrap();
    assert_eq!(limiter.acquire().await.unwrap(), Admission::Granted); // the fallback
    assert!(limiter.is_store_down());

    server.restart();
    let back = Instant::now();
    while limiter.is_store_down() {
        assert!(back.elapsed() < Duration::from_secs(10), "never connected");
        tokio::time::sleep(PROBE / 2).await;
        let _ = limiter.acquire().await.unwrap();
    }
    assert!(tat_in_redis(&server).await);
}
