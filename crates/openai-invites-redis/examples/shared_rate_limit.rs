//! Two replicas of a service share one organization's quota through Redis.
//!
//! ```sh
//! cargo run -p openai-invites-redis --example shared_rate_limit
//! REDIS_URL=redis://127.0.0.1:6379 cargo run -p openai-invites-redis --example shared_rate_limit
//! ```
//!
//! Without `REDIS_URL` it starts its own `redis-server` (on a free loopback port, nothing
//! persisted) when one is on PATH, and otherwise says so and exits. The service is the
//! test kit's fake, with a quota of 20 requests per second; each replica runs 8 tasks that
//! invite people as fast as they are let. With the shared limit no request meets a 429.

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use std::num::NonZeroU32;
use std::time::Duration;

use openai_invites::{Client, InviteRequest, InviteRole, Quota};
use openai_invites_mock::{FakeInvites, FakeServer};
use openai_invites_redis::{RedisLimiter, StoreDownPolicy};

const REPLICAS: u32 = 2;
const TASKS: u32 = 8;
const RUN: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep a server we started alive until the end.
    let Some((url, _own_server)) = redis_server::for_example() else {
        return Ok(());
    };

    // The service allows 20 requests per second (a fixed window). The replicas share its own
    // figure, in bursts of 1, each second lengthened by 10 ms so that a request that arrives
    // a little later than its slot cannot open a window that its followers overrun.
    let fake = FakeInvites::builder()
        .quota(20, Duration::from_secs(1))
        .build();
    let service = FakeServer::serve(fake).await?;
    let interval = (Duration::from_secs(1) + Duration::from_millis(10)) / 20;
    let quota = Quota::with_period(interval)
        .ok_or("a zero interval")?
        .allow_burst(NonZeroU32::MIN);

    let mut replicas = Vec::new();
    for replica in 0..REPLICAS {
        // In production each replica is its own process with this same configuration.
        let limiter = RedisLimiter::builder(url.clone(), quota)
            .name("example-org") // every replica with this name shares the quota
            .replicas(count(REPLICAS)?) // Redis down: about 10/s each, locally
            .timeout(Duration::from_millis(100))
            .on_store_down(StoreDownPolicy::LocalFallback)
            .build()?;
        let client = Client::builder()
            .admin_key(service.admin_key())
            .base_url(&service.base_url())
            .disable_retries() // so that a 429 would show, not be retried
            .rate_limiter(limiter)
            .build()?;
        replicas.push(tokio::spawn(run_replica(replica, client)));
    }
    let (mut invited, mut refused) = (0, 0);
    for replica in replicas {
        let (ok, rate_limited) = replica.await?;
        invited += ok;
        refused += rate_limited;
    }
    println!(
        "{REPLICAS} replicas x {TASKS} tasks for {RUN:?}: {invited} invited, {refused} refused with 429 \
         (the service allows {} in that time)",
        20 * RUN.as_secs()
    );
    service.shutdown().await;
    Ok(())
}

fn count(n: u32) -> Result<NonZeroU32, &'static str> {
    NonZeroU32::new(n).ok_or("a count must not be zero")
}

/// Invites as fast as the shared limit lets `TASKS` tasks; counts successes and 429s.
async fn run_replica(replica: u32, client: Client) -> (u32, u32) {
    let end = tokio::time::Instant::now() + RUN;
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let client = client.clone();
            tokio::spawn(async move {
                let (mut ok, mut rate_limited) = (0, 0);
                for n in 0.. {
                    let email = format!("r{replica}-t{task}-{n}@example.com");
                    let call = client.invite_user(InviteRequest::new(email, InviteRole::Reader));
                    match tokio::time::timeout_at(end, call).await {
                        Err(_) => break, // the run is over
                        Ok(Ok(_)) => ok += 1,
                        Ok(Err(e)) if e.status().is_some_and(|s| s.as_u16() == 429) => {
                            rate_limited += 1
                        }
                        Ok(Err(e)) => eprintln!("replica {replica}: {e}"),
                    }
                }
                (ok, rate_limited)
            })
        })
        .collect();
    let (mut ok, mut rate_limited) = (0, 0);
    for task in tasks {
        let (o, r) = task.await.unwrap_or_default();
        ok += o;
        rate_limited += r;
    }
    (ok, rate_limited)
}
