//! The retry budget: a service that is down is not hammered, and clones share one bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use openai_invites::{ErrorKind, InviteRequest, InviteRole, RetryBudget};
use openai_invites_mock::{FakeInvites, Fault};

fn failing_fake() -> FakeInvites {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).times(usize::MAX));
    fake
}

#[tokio::test(start_paused = true)]
async fn a_burst_against_a_failing_service_gets_far_fewer_than_three_requests_per_call() {
    let fake = failing_fake();
    let client = support::in_process_builder(&fake)
        .no_rate_limit()
        .build()
        .unwrap();
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
async fn invite_failures_spend_no_budget_and_send_once() {
    let fake = failing_fake();
    let client = support::in_process_builder(&fake).build().unwrap();
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
    // Each create is sent once; its reconciliation tries its read three times (reads are not
    // retries of the create, and spend no budget).
    assert_eq!((creates, log.len()), (20, 80));
}
