//! Attempt timeout and total timeout are distinct errors (paused tokio time: no real waiting).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use bytes::Bytes;
use openai_invites::{Client, ErrorKind, ListInvites};
use openai_invites_mock::Fault;
use support::never_answers;

#[tokio::test(start_paused = true)]
async fn attempt_timeout_fires_first_when_shorter() {
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(never_answers())
        .attempt_timeout(Duration::from_secs(2))
        .total_timeout(Duration::from_secs(30))
        .disable_retries()
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AttemptTimeout);
    assert!(err.is_timeout());
    assert_eq!(err.attempts(), 1);
    assert_eq!(started.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn total_timeout_fires_first_when_shorter() {
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(never_answers())
        .attempt_timeout(Duration::from_secs(60))
        .total_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout);
    assert!(err.is_timeout());
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert!(err.to_string().contains("total timeout"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_slow_fake_trips_the_attempt_timeout() {
    let (fake, _) = support::in_process();
    fake.push_fault(Fault::delay(Duration::from_secs(90)));
    // Without reading the invites to settle it, a create that timed out is unknown.
    let client = support::in_process_builder(&fake)
        .attempt_timeout(Duration::from_secs(10))
        .reconcile_invites(false)
        .build()
        .unwrap();
    let err = client
        .invite_user(openai_invites::InviteRequest::new(
            "slow@example.com",
            openai_invites::InviteRole::Reader,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AttemptTimeout);
    assert!(err.is_outcome_unknown());
    assert!(err.to_string().contains("outcome is unknown"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn the_layers_outside_the_client_keep_a_timer_each() {
    use openai_invites::layer::{
        AttemptTimeoutError, AttemptTimeoutLayer, TotalTimeoutError, TotalTimeoutLayer,
    };
    use tower::{ServiceBuilder, ServiceExt};

    for (attempt, total, expect_total, after) in [(60, 5, true, 5), (2, 30, false, 2)] {
        let stack = ServiceBuilder::new()
            .layer(TotalTimeoutLayer::new(Duration::from_secs(total)))
            .layer(AttemptTimeoutLayer::new(Duration::from_secs(attempt)))
            .service(never_answers());
        let started = tokio::time::Instant::now();
        let call = stack.oneshot(http::Request::new(Bytes::new()));
        let err = tokio::time::timeout(Duration::from_secs(120), call)
            .await
            .expect("a timeout fired")
            .unwrap_err();
        assert_eq!(err.is::<TotalTimeoutError>(), expect_total, "{err}");
        assert_eq!(err.is::<AttemptTimeoutError>(), !expect_total, "{err}");
        assert_eq!(started.elapsed(), Duration::from_secs(after));
    }
}

/// The waits that are not attempts (a rate limiter's store, a layer of yours, readiness) must
/// still end at the call's deadline.
mod deadline_outside_attempts {
    use super::*;
    use std::future::{pending, poll_fn};

    use openai_invites::BoxError;
    use openai_invites::slot::{Body, Inner};
    use tower::Service;

    type Answer = Result<http::Response<Body>, BoxError>;

    /// Lists with `client` and checks the call fails with the total timeout exactly `secs`
    /// seconds later; fails the test (instead of hanging it) if the deadline is not enforced.
    async fn fails_at_the_deadline(client: &Client, secs: u64) -> openai_invites::Error {
        let started = tokio::time::Instant::now();
        let call = client.list_invites(ListInvites::new());
        let err = tokio::time::timeout(Duration::from_secs(60), call)
            .await
            .expect("the call outlived its total timeout")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
        assert_eq!(started.elapsed(), Duration::from_secs(secs));
        err
    }

    /// A per-attempt layer that is not ready until `at` (never, with `None`: a concurrency
    /// limit held elsewhere), and then wakes the task that asked.
    #[derive(Clone)]
    struct ReadyAt(Inner, Option<tokio::time::Instant>);

    impl Service<http::Request<Body>> for ReadyAt {
        type Response = http::Response<Body>;
        type Error = BoxError;
        type Future = <Inner as Service<http::Request<Body>>>::Future;
        fn poll_ready(
            &mut self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Result<(), BoxError>> {
            let Some(at) = self.1 else {
                return std::task::Poll::Pending;
            };
            if tokio::time::Instant::now() >= at {
                return Service::<http::Request<Body>>::poll_ready(&mut self.0, cx);
            }
            let waker = cx.waker().clone();
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                waker.wake();
            });
            std::task::Poll::Pending
        }
        fn call(&mut self, request: http::Request<Body>) -> Self::Future {
            self.0.call(request)
        }
    }

    /// A client over a fake whose first answer takes 90 s, with a per-attempt layer that sends
    /// the attempt with `then` and decides what to do with it.
    fn client_with<F>(then: F) -> Client
    where
        F: Fn(Inner, http::Request<Body>) -> std::pin::Pin<Box<dyn Future<Output = Answer> + Send>>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        let (fake, _) = support::in_process();
        fake.push_fault(Fault::delay(Duration::from_secs(90)));
        support::in_process_builder(&fake)
            .attempt_timeout(Duration::from_secs(2))
            .total_timeout(Duration::from_secs(5))
            .disable_retries()
            .layer_per_attempt(tower::layer::layer_fn(move |inner: Inner| {
                let then = then.clone();
                tower::service_fn(move |request| then(inner.clone(), request))
            }))
            .build()
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limiter_that_never_answers_is_cut_at_the_deadline() {
        use openai_invites::layer::rate_limit::{Admission, LimiterFuture, RateLimiter};
        /// A remote store that hangs.
        struct Hung;
        impl RateLimiter for Hung {
            fn acquire(&self) -> LimiterFuture<Admission> {
                LimiterFuture::later(pending())
            }
            fn cool_down(&self, _: Duration) -> LimiterFuture<()> {
                LimiterFuture::later(pending())
            }
        }
        let (fake, _) = support::in_process();
        let client = support::in_process_builder(&fake)
            .total_timeout(Duration::from_secs(5))
            .rate_limiter(Hung)
            .build()
            .unwrap();
        let err = fails_at_the_deadline(&client, 5).await;
        // The attempt was begun but the limiter still held it: never admitted, so it is not
        // counted, and the call knows nothing was sent. The service saw nothing.
        assert_eq!(err.attempts(), 0);
        assert!(err.is_not_sent());
        assert!(!err.is_outcome_unknown());
        assert_eq!(fake.request_count(), 0, "nothing was sent");
    }

    #[tokio::test(start_paused = true)]
    async fn a_layer_that_calls_but_never_polls_the_attempt_is_cut_at_the_deadline() {
        let client = client_with(|mut inner, request| {
            Box::pin(async move {
                poll_fn(|cx| Service::<http::Request<Body>>::poll_ready(&mut inner, cx)).await?;
                let _attempt = inner.call(request);
                pending::<Answer>().await
            })
        });
        fails_at_the_deadline(&client, 5).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_layer_that_swallows_the_attempt_timeout_is_cut_at_the_deadline() {
        let client = client_with(|mut inner, request| {
            Box::pin(async move {
                poll_fn(|cx| Service::<http::Request<Body>>::poll_ready(&mut inner, cx)).await?;
                let attempt = inner.call(request).await;
                assert!(
                    attempt
                        .unwrap_err()
                        .is::<openai_invites::layer::AttemptTimeoutError>()
                );
                pending::<Answer>().await
            })
        });
        fails_at_the_deadline(&client, 5).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_first_attempt_waiting_for_readiness_ends_at_the_deadline() {
        let (fake, _) = support::in_process();
        let client = support::in_process_builder(&fake)
            .total_timeout(Duration::from_secs(5))
            .layer_per_attempt(tower::layer::layer_fn(|inner| ReadyAt(inner, None)))
            .build()
            .unwrap();
        fails_at_the_deadline(&client, 5).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_layer_that_becomes_ready_later_is_waited_for() {
        let (fake, _) = support::in_process();
        let ready_at = tokio::time::Instant::now() + Duration::from_secs(2);
        let client = support::in_process_builder(&fake)
            .total_timeout(Duration::from_secs(5))
            .layer_per_attempt(tower::layer::layer_fn(move |inner| {
                ReadyAt(inner, Some(ready_at))
            }))
            .build()
            .unwrap();
        let started = tokio::time::Instant::now();
        let call = client.list_invites(ListInvites::new());
        tokio::time::timeout(Duration::from_secs(60), call)
            .await
            .expect("the call was woken when the layer became ready")
            .unwrap();
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        assert_eq!(fake.request_count(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_shorter_total_timeout_of_yours_in_either_slot_still_fires() {
        use openai_invites::layer::TotalTimeoutLayer;
        // Per attempt, under the client's 10 s; per call, above the client's 2 s.
        for (client_total, per_attempt, per_call, after) in
            [(10, Some(1), None, 1), (2, None, Some(60), 2)]
        {
            let mut builder = Client::builder()
                .admin_key("sk-admin-test")
                .transport(never_answers())
                .attempt_timeout(Duration::from_secs(30))
                .total_timeout(Duration::from_secs(client_total))
                .disable_retries();
            if let Some(secs) = per_attempt {
                builder =
                    builder.layer_per_attempt(TotalTimeoutLayer::new(Duration::from_secs(secs)));
            }
            if let Some(secs) = per_call {
                builder = builder.layer_per_call(TotalTimeoutLayer::new(Duration::from_secs(secs)));
            }
            let client = builder.build().unwrap();
            fails_at_the_deadline(&client, after).await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_pending_at_the_deadline_fails_as_the_call() {
        let (fake, _) = support::in_process();
        fake.push_fault(Fault::delay(Duration::from_secs(90)));
        let client = support::in_process_builder(&fake)
            .attempt_timeout(Duration::from_secs(60))
            .total_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let err = fails_at_the_deadline(&client, 5).await;
        assert_eq!(err.attempts(), 1, "a call out of time is not retried");
    }
}

/// `Duration::MAX` is a common way to say "no timeout": it must not overflow the deadline.
#[tokio::test(start_paused = true)]
async fn a_timeout_of_duration_max_means_none() {
    let (fake, _) = support::in_process();
    fake.push_fault(Fault::delay(Duration::from_secs(1)));
    let client = support::in_process_builder(&fake)
        .attempt_timeout(Duration::MAX)
        .total_timeout(Duration::MAX)
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
}
