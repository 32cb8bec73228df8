//! Never an unknown invite: ambiguous creates are settled by reading the invites, a retried
//! delete's 404 is success, and `ensure_invited` never leaves two pending invites.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openai_invites::{
    Client, Ensured, Error, ErrorKind, Invite, InviteRequest, InviteRole, InviteStatus, InviteUser,
    Operation, ProjectRole, Reconciled,
};
use openai_invites_mock::{FakeInvites, Fault, Match, Seed, SeedInvite};

const ANA: &str = "ana@example.com";

/// Invites ana as a reader: the create every test here makes.
async fn invite_ana(client: &Client) -> Result<Invite, Error> {
    client
        .invite_user(InviteRequest::new(ANA, InviteRole::Reader))
        .await
}

fn create_fault(fault: Fault) -> Fault {
    fault.matching(Match::Operation(InviteUser::META))
}

fn reads(fake: &FakeInvites) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == http::Method::GET)
        .count()
}

/// An hour ago, in the fake's unix seconds.
fn an_hour_ago() -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    now.as_secs() as i64 - 3600
}

/// `n` pending invites for other people, made an hour ago (so, older than any call).
fn seed_others(fake: &FakeInvites, n: usize) {
    let others = (0..n).map(|i| SeedInvite::new(format!("other{i}@example.com")));
    fake.seed_invites(&Seed::new(others).unwrap()).unwrap();
}

fn seed_old(fake: &FakeInvites, invite: SeedInvite) -> String {
    let seeded = fake
        .seed_invites(&Seed::new([invite.created_at(an_hour_ago())]).unwrap())
        .unwrap();
    seeded[0].id.clone()
}

#[tokio::test(start_paused = true)]
async fn a_create_that_took_effect_returns_its_invite() {
    let (fake, client) = support::in_process();
    fake.push_fault(create_fault(Fault::drop_connection().apply_first()));
    let (recorder, _guard) = support::recorder::record();
    let invite = invite_ana(&client).await.unwrap();
    assert_eq!(fake.invites().len(), 1);
    assert_eq!(fake.invites()[0].id, invite.id);
    assert_eq!(reads(&fake), 1);
    assert!(
        recorder
            .events()
            .iter()
            .any(|e| e.contains("reconciled: the create took effect")),
        "{}",
        recorder.dump()
    );
    // The read is an attempt of its own, with its own span.
    let templates: Vec<_> = recorder
        .spans_named("invites.attempt")
        .into_iter()
        .map(|s| s.fields["http.request.method"].clone())
        .collect();
    assert_eq!(templates, ["POST", "GET"], "{}", recorder.dump());
}

#[tokio::test(start_paused = true)]
async fn a_genuine_409_is_already_invited_with_the_invite() {
    let (fake, client) = support::in_process();
    let existing = seed_old(&fake, SeedInvite::new(ANA).role(InviteRole::Owner));
    let err = client
        .invite_user(InviteRequest::new("Ana@Example.com", InviteRole::Reader))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyInvited, "{err}");
    assert_eq!(err.invite().unwrap().id, existing);
    assert_eq!(err.reconciled(), Some(Reconciled::AlreadyPending));
    assert!(!err.is_outcome_unknown() && !err.is_retryable());
    assert!(
        err.to_string().contains("already has a pending invite"),
        "{err}"
    );
    assert_eq!(fake.invites().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_search_reads_every_page_for_an_older_invite() {
    let (fake, client) = support::in_process();
    // Seeded first, so listed last (the fake lists newest first), behind 250 others.
    let existing = seed_old(&fake, SeedInvite::new(ANA));
    seed_others(&fake, 250);
    let err = invite_ana(&client).await.unwrap_err();
    assert_eq!(err.invite().unwrap().id, existing, "{err}");
    assert_eq!(reads(&fake), 3, "pages of 100 up to the last");
}

#[tokio::test(start_paused = true)]
async fn hitting_the_page_bound_leaves_the_outcome_unknown_and_says_so() {
    let fake = FakeInvites::new();
    seed_others(&fake, 250);
    fake.push_fault(create_fault(Fault::status(503)));
    let client = support::in_process_builder(&fake)
        .reconcile_max_pages(2)
        .build()
        .unwrap();
    let err = invite_ana(&client).await.unwrap_err();
    assert_eq!(err.reconciled(), Some(Reconciled::Failed));
    assert!(err.is_outcome_unknown(), "{err}");
    assert!(err.to_string().contains("did not fit"), "{err}");
    assert_eq!(reads(&fake), 2);
}

#[tokio::test(start_paused = true)]
async fn no_time_to_settle_leaves_the_outcome_unknown() {
    let fake = FakeInvites::new();
    fake.push_fault(create_fault(Fault::status(503)));
    let client = support::in_process_builder(&fake)
        .total_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let err = invite_ana(&client).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert!(err.to_string().contains("no time was left"), "{err}");
    // Read early, after half of what was left: a list without the invite proves nothing yet.
    assert_eq!(reads(&fake), 1);
    assert!(fake.invites().is_empty());
}

#[tokio::test(start_paused = true)]
async fn with_no_time_to_settle_an_early_read_that_finds_the_invite_settles_the_call() {
    let fake = FakeInvites::new();
    fake.push_fault(create_fault(Fault::status(503).apply_first()));
    let client = support::in_process_builder(&fake)
        .total_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let invite = invite_ana(&client).await.unwrap();
    assert_eq!(fake.invites(), vec![invite]);
    assert_eq!(reads(&fake), 1);
}

#[tokio::test(start_paused = true)]
async fn after_a_gateway_timeout_a_list_without_the_invite_is_read_again_before_sending_again() {
    let fake = FakeInvites::new();
    fake.push_fault(create_fault(Fault::status(504)));
    let client = support::in_process_builder(&fake).build().unwrap();
    // The origin behind the gateway makes the invite 1.5 s later: after the first read.
    let origin = fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        origin.seed(InviteRequest::new(ANA, InviteRole::Reader));
    });
    let invite = invite_ana(&client).await.unwrap();
    assert_eq!(fake.invites(), vec![invite]);
    assert_eq!(reads(&fake), 2, "read at 1 s and again at 2 s");
    let creates = fake
        .requests()
        .iter()
        .filter(|r| r.method == http::Method::POST)
        .count();
    assert_eq!(creates, 1, "never sent again");
}

#[tokio::test(start_paused = true)]
async fn a_list_that_shows_nothing_means_not_created_and_sent_again() {
    let (fake, client) = support::in_process();
    // The origin's own 500: it finished, so one read settles it (a gateway's 502, 503, 504 or
    // a 408 is read twice, above).
    fake.push_fault(create_fault(Fault::status(500)));
    let invite = invite_ana(&client).await.unwrap();
    assert_eq!(fake.invites().len(), 1);
    assert_eq!(fake.invites()[0].id, invite.id);
    let creates = fake.requests().len() - reads(&fake);
    assert_eq!((creates, reads(&fake)), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn turned_off_the_outcome_is_unknown_as_before() {
    let fake = FakeInvites::new();
    fake.push_fault(create_fault(Fault::drop_connection().apply_first()));
    let client = support::in_process_builder(&fake)
        .reconcile_invites(false)
        .build()
        .unwrap();
    let err = invite_ana(&client).await.unwrap_err();
    assert!(err.is_outcome_unknown());
    assert_eq!(err.reconciled(), None);
    assert_eq!(reads(&fake), 0);
}

#[tokio::test(start_paused = true)]
async fn turned_off_a_create_answered_2xx_that_does_not_decode_is_unknown() {
    for fault in [Fault::truncated_body(), Fault::malformed_json()] {
        let fake = FakeInvites::new();
        fake.push_fault(create_fault(fault.apply_first()));
        let client = support::in_process_builder(&fake)
            .reconcile_invites(false)
            .build()
            .unwrap();
        let err = invite_ana(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        // The service made the invite: inviting again would make a second one.
        assert_eq!(fake.invites().len(), 1);
        assert!(err.is_outcome_unknown(), "{err:?}");
        assert_eq!(err.reconciled(), None);
        assert_eq!(reads(&fake), 0);
    }
}

#[tokio::test]
async fn a_create_answered_over_the_size_cap_is_reconciled() {
    // After acting: the invite is found and returned.
    let (server, _) = support::loopback().await;
    let fake = server.fake();
    fake.push_fault(create_fault(Fault::oversized_body(64 * 1024).apply_first()));
    let client = support::loopback_builder(&server)
        .max_response_bytes(16 * 1024)
        .reconcile_settle_delay(Duration::from_millis(10))
        .build()
        .unwrap();
    let (invite, info) = client
        .invite_user(InviteRequest::new(ANA, InviteRole::Reader))
        .with_info()
        .await
        .unwrap();
    assert_eq!(fake.invites().len(), 1);
    assert_eq!(fake.invites()[0].id, invite.id);
    assert_eq!(info.reconciled(), Some(Reconciled::Created));

    // Without acting: a 2xx said it was made, and the list (read twice) does not show it, so
    // it is not sent again, and the outcome stays unknown.
    let fake = server.fake();
    fake.reset();
    fake.push_fault(create_fault(Fault::oversized_body(64 * 1024)));
    let err = invite_ana(&client).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge);
    assert_eq!(err.reconciled(), Some(Reconciled::Failed));
    assert!(err.is_outcome_unknown());
    assert!(fake.invites().is_empty());
    assert_eq!((fake.request_count(), reads(fake)), (3, 2));

    // Turned off: the 2xx said the invite was made, so the outcome is unknown.
    fake.reset();
    fake.push_fault(create_fault(Fault::oversized_body(64 * 1024).apply_first()));
    let unreconciled = support::loopback_builder(&server)
        .max_response_bytes(16 * 1024)
        .reconcile_invites(false)
        .build()
        .unwrap();
    let err = invite_ana(&unreconciled).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge);
    assert_eq!(fake.invites().len(), 1);
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(reads(fake), 0);
}

#[tokio::test]
async fn a_delete_answered_over_the_size_cap_is_done_not_unknown() {
    // A 2xx says the delete happened; only a create's body names what it made.
    let (server, _) = support::loopback().await;
    let fake = server.fake();
    let id = fake.seed(InviteRequest::new(ANA, InviteRole::Reader)).id;
    let fault = Fault::oversized_body(64 * 1024).apply_first();
    fake.push_fault(fault.matching(Match::Operation(openai_invites::DeleteInvite::META)));
    let client = support::loopback_builder(&server)
        .max_response_bytes(16 * 1024)
        .build()
        .unwrap();
    let err = client.delete_invite(&id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{err}");
    assert!(fake.invites().is_empty());
    assert!(!err.is_outcome_unknown(), "{err}");
    assert!(!err.is_not_sent(), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_404_on_a_first_delete_stays_a_404() {
    let (fake, client) = support::in_process();
    let err = client.delete_invite("invite-missing").await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    assert_eq!(err.reconciled(), None);
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_retried_delete_that_finds_the_invite_gone_succeeded() {
    let (fake, client) = support::in_process();
    let id = fake.seed(InviteRequest::new(ANA, InviteRole::Reader)).id;
    fake.push_fault(Fault::status(503).apply_first());
    let deleted = client.delete_invite(&id).await.unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.id, id);
    assert_eq!(fake.request_count(), 2);
    assert!(fake.invites().is_empty());
}

mod ensure_invited {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn creates_once_then_finds_it_pending() {
        let (fake, client) = support::in_process();
        let request = InviteRequest::new(ANA, InviteRole::Reader);
        let first = client.ensure_invited(request.clone()).await.unwrap();
        assert_eq!(first.outcome, Ensured::Created);
        let again = client.ensure_invited(request).await.unwrap();
        assert_eq!(again.invite.id, first.invite.id);
        assert!(matches!(again.outcome, Ensured::AlreadyPending { mismatch } if !mismatch.any()));
        assert_eq!(fake.invites().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn says_where_a_pending_invite_differs() {
        let (fake, client) = support::in_process();
        fake.seed(
            InviteRequest::new(ANA, InviteRole::Reader).with_project("proj_a", ProjectRole::Member),
        );
        let ensured = client
            .ensure_invited(
                InviteRequest::new(ANA, InviteRole::Owner)
                    .with_project("proj_b", ProjectRole::Member),
            )
            .await
            .unwrap();
        let Ensured::AlreadyPending { mismatch } = ensured.outcome else {
            panic!("{ensured:?}")
        };
        assert!(mismatch.role && mismatch.projects);
        assert_eq!(fake.invites().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_accepted_invite_is_left_alone() {
        let (fake, client) = support::in_process();
        let id = fake.seed(InviteRequest::new(ANA, InviteRole::Reader)).id;
        fake.accept(&id);
        let ensured = client
            .ensure_invited(InviteRequest::new(ANA, InviteRole::Reader))
            .await
            .unwrap();
        assert_eq!(
            (ensured.invite.id.as_str(), ensured.outcome),
            (id.as_str(), Ensured::AlreadyAccepted)
        );
        assert_eq!(fake.invites().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_expired_invite_is_replaced() {
        let (fake, client) = support::in_process();
        let old = fake.seed(InviteRequest::new(ANA, InviteRole::Reader)).id;
        fake.expire(&old);
        let ensured = client
            .ensure_invited(InviteRequest::new(ANA, InviteRole::Reader))
            .await
            .unwrap();
        assert_eq!(
            ensured.outcome,
            Ensured::Reissued {
                expired: old.clone()
            }
        );
        let left = fake.invites();
        assert_eq!(left.len(), 1, "the expired one is gone");
        assert_eq!(left[0].id, ensured.invite.id);
        assert_eq!(left[0].status, InviteStatus::Pending);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_runs_leave_one_pending_invite() {
        let (fake, client) = support::in_process();
        let runs: Vec<_> = (0..8)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    client
                        .ensure_invited(InviteRequest::new(ANA, InviteRole::Reader))
                        .await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for run in runs {
            ids.push(run.await.unwrap().unwrap().invite.id);
        }
        let invites = fake.invites();
        assert_eq!(invites.len(), 1);
        assert!(ids.iter().all(|id| *id == invites[0].id), "{ids:?}");
    }
}

mod review {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bytes::Bytes;
    use openai_invites::Client;
    use openai_invites::transport::TransportError;

    /// A transport that answers each request with the next of `answers` (then 404s).
    fn scripted(
        answers: Vec<Result<u16, &'static str>>,
    ) -> impl openai_invites::StackService<Error = openai_invites::BoxError> {
        let answers = Arc::new(answers);
        let next = Arc::new(AtomicUsize::new(0));
        tower::service_fn(move |_: http::Request<Bytes>| {
            let n = next.fetch_add(1, Ordering::SeqCst);
            let answer = answers.get(n).copied().unwrap_or(Ok(404));
            async move {
                match answer {
                    Ok(status) => Ok(http::Response::builder()
                        .status(status)
                        .header("retry-after-ms", "10")
                        .body(Bytes::new())
                        .unwrap()),
                    Err(_) => Err(openai_invites::BoxError::from(TransportError::connect(
                        "connection refused",
                    ))),
                }
            }
        })
    }

    fn client(transport: impl openai_invites::StackService) -> Client {
        Client::builder()
            .admin_key("sk-admin-test")
            .max_retries(2)
            .transport(transport)
            .build()
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_404_after_attempts_that_cannot_have_deleted_stays_a_404() {
        for first in [Ok(429), Err("refused")] {
            let err = client(scripted(vec![first, Ok(404)]))
                .delete_invite("invite-never")
                .await
                .unwrap_err();
            assert_eq!(
                err.status(),
                Some(http::StatusCode::NOT_FOUND),
                "{first:?}: {err}"
            );
            assert_eq!(err.reconciled(), None);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_ambiguous_attempt_then_refused_connections_stay_unknown() {
        let err = client(scripted(vec![Ok(503), Err("refused"), Err("refused")]))
            .delete_invite("invite-x")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
        assert!(
            err.is_outcome_unknown(),
            "the 503 may have deleted it: {err}"
        );
        assert!(!err.is_not_sent());
        let text = err.to_string();
        assert!(!text.contains("nothing was sent"), "{text}");
        assert!(text.contains("the outcome is unknown"), "{text}");
        // Refused connections only: nothing was sent.
        let err = client(scripted(vec![
            Err("refused"),
            Err("refused"),
            Err("refused"),
        ]))
        .delete_invite("invite-x")
        .await
        .unwrap_err();
        assert!(err.is_not_sent() && !err.is_outcome_unknown(), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_create_sent_again_then_cut_short_is_unknown() {
        let fake = FakeInvites::new();
        // A 502 that created nothing: the read finds nothing, so the create is sent again; that
        // attempt creates the invite and answers after the call's time is up.
        fake.push_fault(create_fault(Fault::status(502)));
        fake.push_fault(create_fault(
            Fault::delay(Duration::from_secs(30)).apply_first(),
        ));
        // A timeout of yours around the whole call cuts it short while that attempt is in
        // flight (before the client's own timers fire).
        let client = support::in_process_builder(&fake)
            .layer_per_call(tower::timeout::TimeoutLayer::new(Duration::from_secs(5)))
            .build()
            .unwrap();
        let err = invite_ana(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Middleware, "{err}");
        assert_eq!(err.attempts(), 2, "{err}");
        assert_eq!(err.reconciled(), Some(Reconciled::NotCreated), "{err}");
        assert!(
            err.is_outcome_unknown(),
            "the second create was in flight: {err}"
        );
        let text = err.to_string();
        assert!(!text.contains("it was not created"), "{text}");
        assert!(text.contains("the outcome is unknown"), "{text}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_of_a_layer_of_yours_after_sending_is_reconciled() {
        let fake = FakeInvites::new();
        // The fake creates the invite, and answers after the layer's timeout.
        fake.push_fault(create_fault(
            Fault::delay(Duration::from_secs(5)).apply_first(),
        ));
        let client = support::in_process_builder(&fake)
            .layer_per_attempt(tower::timeout::TimeoutLayer::new(Duration::from_secs(1)))
            .build()
            .unwrap();
        let invite = invite_ana(&client).await.unwrap();
        assert_eq!(fake.invites().len(), 1);
        assert_eq!(fake.invites()[0].id, invite.id);
    }

    #[tokio::test(start_paused = true)]
    async fn a_list_that_lags_the_writes_longer_than_the_settle_delay() {
        // The settle delay the lags below are measured against.
        let lagging_client = |fake: &FakeInvites| {
            support::in_process_builder(fake)
                .reconcile_settle_delay(Duration::from_secs(1))
                .build()
                .unwrap()
        };
        // The create took effect; the list shows it only after 1.5 s; the client reads after
        // 1 s (twice after a lost connection: 2 s, by then it shows).
        let fake = FakeInvites::builder()
            .list_lag(Duration::from_millis(1500))
            .build();
        fake.push_fault(create_fault(Fault::drop_connection().apply_first()));
        let client = lagging_client(&fake);
        let invite = invite_ana(&client).await.unwrap();
        assert_eq!(fake.invites()[0].id, invite.id);
        assert_eq!(fake.invites().len(), 1);

        // A 2xx that does not decode says the invite was made: read twice too, so the lagging
        // list shows it the second time.
        let fake = FakeInvites::builder()
            .list_lag(Duration::from_millis(1500))
            .build();
        fake.push_fault(create_fault(Fault::truncated_body().apply_first()));
        let client = lagging_client(&fake);
        let invite = invite_ana(&client).await.unwrap();
        assert_eq!(fake.invites().len(), 1);
        assert_eq!(fake.invites()[0].id, invite.id);
        assert_eq!(reads(&fake), 2);

        // A 502 after acting is read once: the lagging list shows nothing, so the create is
        // sent again, and the service refuses it as a duplicate. That is the call's own
        // invite, not "already invited".
        let fake = FakeInvites::builder()
            .list_lag(Duration::from_millis(1500))
            .build();
        fake.push_fault(create_fault(Fault::status(502).apply_first()));
        let client = lagging_client(&fake);
        let result = invite_ana(&client).await;
        let invites = fake.invites();
        assert_eq!(invites.len(), 1, "the service refused the second create");
        match result {
            Ok(invite) => assert_eq!(invite.id, invites[0].id),
            Err(e) => panic!("the call's own invite was reported as {e}"),
        }
    }
}
