//! The retry budget: a service that is down is not hammered, and clones share one bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use openai_invites::{ErrorKind, InviteRequest, InviteRole, RetryBudget};
use openai_invites_mock::{FakeInvites, Fault};

/// A client with the retries and budget the figures below are computed from: 2 retries; a
/// 10 s window, 2 retries a second in reserve, 20% of calls.
fn pinned(fake: &FakeInvites) -> openai_invites::ClientBuilder {
    support::in_process_builder(fake)
        .max_retries(2)
        .retry_budget(RetryBudget::new(Duration::from_secs(10), 2, 0.2))
}

fn failing_fake() -> FakeInvites {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).times(usize::MAX));
    fake
}

#[tokio::test(start_paused = true)]
async fn a_burst_against_a_failing_service_gets_far_fewer_than_three_requests_per_call() {
    let fake = failing_fake();
    let client = pinned(&fake).no_rate_limit().build().unwrap();
    // A burst: 200 callers at once, as when a fleet meets an outage.
    let calls: Vec<_> = (0..200)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.retrieve_invite("invite-x").await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap_err().kind(), ErrorKind::Api);
    }
    let requests = fake.request_count();
    // Without a budget: 600. With the default (20 in reserve + 20% of calls): about 260.
    assert!(requests > 200, "some retries were made: {requests}");
    assert!(requests <= 270, "the budget capped retries: {requests}");
}

#[tokio::test(start_paused = true)]
async fn clones_share_the_budget() {
    let fake = failing_fake();
    let client = support::in_process_builder(&fake)
        .retry_budget(RetryBudget::new(Duration::from_secs(10), 0, 0.0))
        .build()
        .unwrap();
    let clone = client.clone();
    // A budget with no reserve and no ratio: nobody retries, through any clone.
    client.retrieve_invite("invite-x").await.unwrap_err();
    clone.retrieve_invite("invite-x").await.unwrap_err();
    assert_eq!(fake.request_count(), 2);

    // One shared bucket with 2 retries in reserve: spent by one clone, gone for the other.
    let fake = failing_fake();
    let budget = RetryBudget::new(Duration::from_secs(10), 0, 1.0);
    let client = support::in_process_builder(&fake)
        .retry_budget(budget.clone())
        .max_retries(10)
        .build()
        .unwrap();
    let clone = client.clone();
    let first = client.retrieve_invite("invite-x").await.unwrap_err();
    // The first call deposited 1 (ratio 1.0): one retry.
    assert_eq!(first.attempts(), 2);
    // Drain what is left from the outside, then the clone cannot retry.
    while budget.withdraw() {}
    let second = clone.retrieve_invite("invite-x").await.unwrap_err();
    assert_eq!(
        second.attempts(),
        2,
        "its own deposit buys one retry, nothing more"
    );
    let third = clone.retrieve_invite("invite-x").await.unwrap_err();
    assert_eq!(third.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn invite_failures_send_once_and_reread_within_the_budget() {
    let fake = failing_fake();
    let client = pinned(&fake).build().unwrap();
    for i in 0..20 {
        let err = client
            .invite_user(InviteRequest::new(
                format!("u{i}@example.com"),
                InviteRole::Reader,
            ))
            .await
            .unwrap_err();
        // The service cannot be read either (every request fails): the outcome stays unknown.
        assert!(err.is_outcome_unknown());
    }
    let log = fake.requests();
    let creates = log
        .iter()
        .filter(|r| r.method == http::Method::POST)
        .count();
    // Each create is sent once; its reconciliation tries its read three times. Its two
    // re-reads are retries the budget allows here: one call at a time, a second apart.
    assert_eq!((creates, log.len()), (20, 80));
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_creates_against_an_unreadable_service_rereads_within_the_budget() {
    let fake = failing_fake();
    let client = pinned(&fake).no_rate_limit().build().unwrap();
    let calls: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let request = InviteRequest::new(format!("u{i}@example.com"), InviteRole::Reader);
                client.invite_user(request).await
            })
        })
        .collect();
    let mut spent = 0;
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        assert!(err.is_outcome_unknown());
        spent += usize::from(
            err.to_string()
                .contains("(not retried: the retry budget is spent)"),
        );
    }
    let log = fake.requests();
    let creates = log
        .iter()
        .filter(|r| r.method == http::Method::POST)
        .count();
    let reads = log.len() - creates;
    // Each create is sent once, and read once. Without a budget the re-reads would be 200;
    // with the default (20 in reserve, 2 a second, 20% of calls) about 40.
    assert_eq!(creates, 100);
    assert!(reads >= 100 + 20, "re-reads were made: {reads}");
    assert!(reads <= 100 + 70, "the budget capped re-reads: {reads}");
    assert!(spent > 0, "some calls say the budget stopped their reads");
}
