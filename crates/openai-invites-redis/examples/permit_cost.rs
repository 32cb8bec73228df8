//! What one permit costs against a local Redis, in µs (the figures in BENCHMARKS.md).
//!
//! ```sh
//! cargo run --release -p openai-invites-redis --example permit_cost
//! PERMITS=50000 REDIS_URL=redis://127.0.0.1:6379 cargo run --release -p openai-invites-redis --example permit_cost
//! ```
//!
//! A quota that never denies, so every `acquire` is one EVALSHA round trip: one caller after
//! another (latency), then 16 callers at once on one connection (throughput). The in-process
//! governor limiter is timed the same way, for scale. Starts its own `redis-server` when
//! `REDIS_URL` is not set and one is on PATH.

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openai_invites::layer::rate_limit::{Admission, GovernorLimiter};
use openai_invites::{Quota, RateLimiter};
use openai_invites_redis::RedisLimiter;

const CONCURRENCY: u32 = 16;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some((url, _own_server)) = redis_server::for_example() else {
        return Ok(());
    };
    let permits: u32 = std::env::var("PERMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    // A permit every microsecond in bursts of 4 billion: never a denial.
    let quota = Quota::per_second(NonZeroU32::MAX);

    let redis = RedisLimiter::builder(url.clone(), quota)
        .name("permit-cost")
        .timeout(Duration::from_secs(1))
        .build()?;
    let _ = redis.acquire().await?; // connect, load the script
    let local = GovernorLimiter::new(quota);

    println!("{permits} permits, release build expected (--release)");
    report(
        "redis, 1 caller",
        permits,
        sequential(&redis, permits).await?,
    );
    let redis = Arc::new(redis);
    report(
        &format!("redis, {CONCURRENCY} callers"),
        permits,
        concurrent(&redis, permits).await?,
    );
    report(
        "in process, 1 caller",
        permits,
        sequential(&local, permits).await?,
    );
    // What the script costs Redis itself, as the server measured it.
    let mut connection = redis::Client::open(url)?.get_connection()?;
    if let Ok(Some(stats)) = redis_server::evalsha_stats(&mut connection) {
        println!("{:>22}: {stats}", "redis-server EVALSHA");
    }
    if redis.store_failures() > 0 {
        println!("({} Redis calls failed)", redis.store_failures());
    }
    Ok(())
}

fn report(what: &str, permits: u32, took: Duration) {
    let per = took.as_secs_f64() * 1e6 / f64::from(permits);
    println!("{what:>22}: {per:8.2} µs per permit ({took:.2?} in all)");
}

async fn sequential(
    limiter: &impl RateLimiter,
    permits: u32,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    for _ in 0..permits {
        if limiter.acquire().await? != Admission::Granted {
            return Err("a permit was denied".into());
        }
    }
    Ok(started.elapsed())
}

async fn concurrent(
    limiter: &Arc<RedisLimiter>,
    permits: u32,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let limiter = Arc::clone(limiter);
            tokio::spawn(async move { sequential(&*limiter, permits / CONCURRENCY).await.is_ok() })
        })
        .collect();
    for task in tasks {
        if !task.await? {
            return Err("a permit was denied".into());
        }
    }
    Ok(started.elapsed())
}
