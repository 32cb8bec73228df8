//! Applying against the in-process fake: one request per create or delete plus the snapshot,
//! ambiguous creates settled together, limits checked before anything changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use openai_invites::InviteStatus;
use openai_invites::http::Method;
use openai_invites_mock::{FakeInvites, Fault, Match};
use openai_invites_roster::{
    ActionKind, Applier, ApplyError, MaxRevoke, Outcome, PlanOptions, Progress, Roster,
    RosterFormat, RunStatus, plan, read_invites, write_report,
};
use support::{client, counts, created_emails, csv_roster, pending_of, seed, seed_others};

fn creates() -> Match {
    Match::route(Method::POST, "/organization/invites")
}

fn applier(fake: &FakeInvites) -> Applier {
    Applier::new(client(fake)).settle_delay(Duration::ZERO)
}

/// N rows against M invites with k ambiguous creates that took effect: N + ceil(M/100)
/// requests, plus one read of ceil((M+N)/100) pages that settles all k together.
#[tokio::test]
async fn ambiguous_creates_that_took_effect_are_settled_by_one_read() {
    let fake = FakeInvites::new();
    seed_others(&fake, 250);
    fake.push_fault(
        Fault::drop_connection()
            .apply_first()
            .matching(creates())
            .times(3),
    );
    let roster = Roster::parse(&csv_roster(30), RosterFormat::Csv).unwrap();

    let (plan, report) = applier(&fake)
        .sync(&roster, PlanOptions::default())
        .await
        .unwrap();

    assert_eq!(plan.summary().changes(), 30);
    assert_eq!(report.status(), RunStatus::AsPlanned, "{report:?}");
    assert_eq!(report.summary().count(Outcome::Created), 30);
    let settled = report
        .rows
        .iter()
        .filter(|r| r.message.as_deref() == Some("settled by reading the invites"))
        .count();
    assert_eq!(settled, 3);
    assert!(report.rows.iter().all(|r| r.invite_id.is_some()));
    // 3 pages of 250, 30 creates, then 3 pages of 280 settle the three at once.
    assert_eq!(counts(&fake), (30, 0, 3 + 3));
    assert_eq!(fake.request_count(), 36);
    for i in 0..30 {
        assert_eq!(pending_of(&fake, &format!("user-{i}@example.com")), 1);
    }
}

/// A create that failed ambiguously and did not take effect is found missing by the settling
/// read, sent again, and settled by one more read.
#[tokio::test]
async fn ambiguous_creates_not_made_are_sent_again_then_settled_again() {
    let fake = FakeInvites::new();
    seed_others(&fake, 150);
    // Two 503s (not applied); then, once the other rows are done, the first create sent
    // again is dropped after it took effect.
    fake.push_fault(Fault::status(503).matching(creates()).times(2));
    let roster = Roster::parse(&csv_roster(10), RosterFormat::Csv).unwrap();
    let later = fake.clone();
    let applier = applier(&fake).concurrency(1).on_progress(move |p| {
        if p.done == 8 {
            later.push_fault(Fault::drop_connection().apply_first().matching(creates()));
        }
    });

    let (_, report) = applier.sync(&roster, PlanOptions::default()).await.unwrap();
    assert_eq!(report.status(), RunStatus::AsPlanned, "{report:?}");
    // Snapshot 2 pages; 10 creates; a read (2 pages): two not made, sent again, one of them
    // ambiguous again; one more read (2 pages) settles it.
    assert_eq!(counts(&fake), (12, 0, 2 + 2 + 2));
    assert_eq!(report.summary().count(Outcome::Created), 10);
    let mut sent = created_emails(&fake);
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), 10);
    for i in 0..10 {
        assert_eq!(pending_of(&fake, &format!("user-{i}@example.com")), 1);
    }
}

fn lists() -> Match {
    Match::route(Method::GET, "/organization/invites")
}

#[tokio::test]
async fn the_snapshot_failing_is_an_error_before_anything_is_sent() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(400).matching(lists()));
    let roster = Roster::parse(&csv_roster(3), RosterFormat::Csv).unwrap();
    let err = applier(&fake)
        .sync(&roster, PlanOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ApplyError::Snapshot(_)), "{err:?}");
    assert_eq!(counts(&fake), (0, 0, 1));
}

#[tokio::test]
async fn outcomes_that_no_read_can_settle_stay_unknown() {
    let fake = FakeInvites::new();
    let roster = Roster::parse(&csv_roster(3), RosterFormat::Csv).unwrap();
    // The first create is ambiguous; once the two others are done, every list fails.
    fake.push_fault(Fault::drop_connection().matching(creates()));
    let later = fake.clone();
    let applier = applier(&fake)
        .concurrency(1)
        .settle_reads(2)
        .on_progress(move |p| {
            if p.done == 2 {
                later.push_fault(Fault::status(400).matching(lists()).times(100));
            }
        });
    let (_, report) = applier.sync(&roster, PlanOptions::default()).await.unwrap();
    assert_eq!(report.status(), RunStatus::SomeUnknown, "{report:?}");
    let unknown = &report.rows[0];
    assert_eq!(unknown.outcome, Outcome::Unknown);
    assert!(
        unknown
            .message
            .as_deref()
            .unwrap()
            .contains("could not be read"),
        "{unknown:?}"
    );
    // The snapshot, three creates, two reads that failed: nothing sent again blind.
    assert_eq!(counts(&fake), (3, 0, 3));
}

#[tokio::test]
async fn a_refused_create_fails_its_row_and_the_others_are_done() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(400).matching(creates()));
    let roster = Roster::parse(&csv_roster(4), RosterFormat::Csv).unwrap();
    let (_, report) = applier(&fake)
        .concurrency(1)
        .sync(&roster, PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(report.status(), RunStatus::SomeFailed);
    let failed = &report.rows[0];
    assert_eq!(failed.outcome, Outcome::Failed);
    assert!(failed.request_id.as_deref().unwrap().starts_with("req_"));
    assert!(
        failed.message.as_deref().unwrap().contains("400"),
        "{failed:?}"
    );
    assert_eq!(report.summary().to_string(), "3 created, 1 failed");
    // Failed rows are not settled: nothing more was read.
    assert_eq!(counts(&fake), (4, 0, 1));

    let mut csv = Vec::new();
    write_report(&mut csv, &report.rows).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("email,action,outcome,invite_id,request_id,message")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("user-0@example.com,invite,failed,,req_")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("user-1@example.com,invite,created,invite-")
    );
}

#[tokio::test]
async fn every_kind_of_action_ends_as_planned() {
    let fake = FakeInvites::new();
    seed(
        &fake,
        &[
            ("gone@example.com", InviteStatus::Expired),
            ("drifted@example.com", InviteStatus::Pending),
            ("same@example.com", InviteStatus::Pending),
            ("member@example.com", InviteStatus::Accepted),
            ("stranger@example.com", InviteStatus::Pending),
            ("alumnus@example.com", InviteStatus::Accepted),
        ],
    );
    let roster = Roster::parse(
        "email,role,projects\n\
         new@example.com,reader,\n\
         gone@example.com,reader,\n\
         drifted@example.com,owner,\n\
         same@example.com,reader,\n\
         member@example.com,owner,\n",
        RosterFormat::Csv,
    )
    .unwrap();
    let options = PlanOptions {
        prune: true,
        replace_drifted: true,
    };
    let (plan, report) = applier(&fake)
        .max_revoke(MaxRevoke::Count(1))
        .sync(&roster, options)
        .await
        .unwrap();
    let got: Vec<_> = report.rows.iter().map(|r| (r.action, r.outcome)).collect();
    assert_eq!(
        got,
        [
            (ActionKind::Invite, Outcome::Created),
            (ActionKind::Reissue, Outcome::Reissued),
            (ActionKind::Replace, Outcome::Replaced),
            (ActionKind::Keep, Outcome::Kept),
            (ActionKind::Accepted, Outcome::Accepted),
            (ActionKind::Revoke, Outcome::Revoked),
        ]
    );
    assert_eq!(report.rows[5].invite_id, plan.actions[5].invite_id);
    // 1 page, 3 creates, 3 deletes (expired, drifted, stranger).
    assert_eq!(counts(&fake), (3, 3, 1));
    assert_eq!(pending_of(&fake, "stranger@example.com"), 0);
    assert!(
        fake.invites()
            .iter()
            .any(|i| i.email == "alumnus@example.com")
    );
    let again = openai_invites_roster::plan(
        &roster,
        &read_invites(&client(&fake)).await.unwrap(),
        options,
    );
    assert_eq!(again.summary().changes(), 0, "{:?}", again.summary());
}

#[tokio::test]
async fn too_many_revocations_abort_before_anything_changes() {
    let fake = FakeInvites::new();
    seed_others(&fake, 20);
    let roster = Roster::parse(&csv_roster(2), RosterFormat::Csv).unwrap();
    let options = PlanOptions {
        prune: true,
        replace_drifted: false,
    };
    let err = applier(&fake).sync(&roster, options).await.unwrap_err();
    assert!(
        matches!(
            err,
            ApplyError::TooManyRevocations {
                revocations: 20,
                limit: 2,
                pending: 20,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(counts(&fake), (0, 0, 1));
    let (_, report) = applier(&fake)
        .max_revoke("100%".parse().unwrap())
        .sync(&roster, options)
        .await
        .unwrap();
    assert_eq!(report.summary().count(Outcome::Revoked), 20);
}

#[tokio::test]
async fn a_saved_plan_is_refused_when_an_invite_it_acts_on_changed() {
    let fake = FakeInvites::new();
    let roster = Roster::parse(&csv_roster(3), RosterFormat::Csv).unwrap();
    let saved = plan(
        &roster,
        &read_invites(&client(&fake)).await.unwrap(),
        PlanOptions::default(),
    );
    // Someone invites user-1 meanwhile.
    seed(&fake, &[("user-1@example.com", InviteStatus::Pending)]);
    fake.clear_requests();
    let err = applier(&fake).apply(&saved).await.unwrap_err();
    match &err {
        ApplyError::Stale { emails } => assert_eq!(emails, &["user-1@example.com"]),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().starts_with("the saved plan is stale"),
        "{err}"
    );
    assert_eq!(counts(&fake), (0, 0, 1));
}

#[tokio::test]
async fn progress_counts_rows_with_changes() {
    let fake = FakeInvites::new();
    seed(&fake, &[("user-0@example.com", InviteStatus::Pending)]);
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = seen.clone();
    let roster = Roster::parse(&csv_roster(5), RosterFormat::Csv).unwrap();
    applier(&fake)
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .sync(&roster, PlanOptions::default())
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.first().map(|p| (p.done, p.total)), Some((0, 4)));
    assert_eq!(
        seen.last().map(|p| (p.done, p.total, p.failed)),
        Some((4, 4, 0))
    );
    assert_eq!(seen.len(), 5);
}
