//! Clients with the Redis limiter: a 429 seen by one replica pauses the others, and each
//! policy reaches the caller as the client's own outcome.

use std::time::Duration;

use crate::support::redis_server::RedisServer;
use crate::support::{nothing_listens, per_second};
use openai_invites::{Client, ErrorKind, ListInvites, RateLimiter};
use openai_invites_mock::{FakeInvites, Fault};
use openai_invites_redis::{RedisLimiter, StoreDownPolicy};

fn client(fake: &FakeInvites, limiter: RedisLimiter) -> Client {
    Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        .disable_retries()
        .rate_limiter(limiter)
        .build()
        .unwrap()
}

fn limiter(url: String) -> RedisLimiter {
    RedisLimiter::builder(url, per_second(1000, 1000))
        .name("client")
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_429_seen_by_one_replica_pauses_the_others() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let fake = FakeInvites::new();
    let (one, other) = (limiter(server.url()), limiter(server.url()));
    let (a, b) = (client(&fake, one), client(&fake, other.clone()));

    fake.push_fault(Fault::rate_limited(600));
    let refused = a.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(429));

    // The other replica never saw the 429, yet waits for it.
    b.list_invites(ListInvites::new()).await.unwrap();
    let log = fake.requests();
    assert_eq!(log.len(), 2);
    let gap = log[1].at - log[0].at;
    assert!(gap >= Duration::from_millis(450), "{gap:?}");
    assert_eq!(other.store_failures(), 0);
}

#[tokio::test]
async fn deny_fails_the_call_before_anything_is_sent() {
    let fake = FakeInvites::new();
    let limiter = RedisLimiter::builder(nothing_listens(), per_second(10, 10))
        .on_store_down(StoreDownPolicy::Deny)
        .build()
        .unwrap();
    let error = client(&fake, limiter.clone())
        .list_invites(ListInvites::new())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimiterUnavailable);
    assert_eq!(fake.request_count(), 0);
    assert_eq!(limiter.store_failures(), 1);
}

#[tokio::test]
async fn the_local_fallback_keeps_calls_going() {
    let fake = FakeInvites::new();
    let limiter = RedisLimiter::builder(nothing_listens(), per_second(100, 10)).build();
    let client = client(&fake, limiter.unwrap());
    for _ in 0..5 {
        client.list_invites(ListInvites::new()).await.unwrap();
    }
    assert_eq!(fake.request_count(), 5);
}
