//! The journal: a run again skips what was finished, settles what was interrupted by reading
//! (never by sending blind), and survives a torn last line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openai_invites::http::Method;
use openai_invites_mock::{FakeInvites, Fault, Match};
use openai_invites_roster::journal::{Record, Step};
use openai_invites_roster::{
    ActionKind, Applier, Journal, JournalError, Outcome, PlanOptions, Roster, RosterFormat,
    RunStatus, StopSignal, plan, read_invites,
};
use support::{client, counts, created_emails, csv_roster, pending_of};

fn applier(fake: &FakeInvites, journal: &Path) -> Applier {
    Applier::new(client(fake))
        .settle_delay(Duration::ZERO)
        .concurrency(1)
        .journal(Journal::open(journal).unwrap())
}

fn roster(n: usize) -> Roster {
    Roster::parse(&csv_roster(n), RosterFormat::Csv).unwrap()
}

/// Starts a run whose first create hangs (made at once or not, as `made`), and stops it at
/// once while that create is in flight.
async fn stop_in_flight(
    fake: &FakeInvites,
    journal: &Path,
    made: bool,
    saved: Option<openai_invites_roster::Plan>,
) {
    let mut hang = Fault::delay(Duration::from_secs(300))
        .matching(Match::route(Method::POST, "/organization/invites"));
    if made {
        hang = hang.apply_first();
    }
    fake.push_fault(hang);
    let stop = StopSignal::new();
    let applier = applier(fake, journal).stop_signal(stop.clone());
    let run = tokio::spawn(async move {
        match saved {
            Some(plan) => applier.apply(&plan).await.unwrap(),
            None => {
                applier
                    .sync(&roster(3), PlanOptions::default())
                    .await
                    .unwrap()
                    .1
            }
        }
    });
    while counts(fake).0 == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.stop();
    stop.stop(); // the second: at once
    let report = run.await.unwrap();
    assert_eq!(report.status(), RunStatus::Interrupted);
    let outcomes: Vec<_> = report.rows.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Unknown, Outcome::Skipped, Outcome::Skipped]
    );
}

fn records(journal: &Path) -> Vec<Record> {
    Journal::open(journal).unwrap().records().unwrap()
}

#[tokio::test]
async fn a_run_again_skips_the_rows_the_journal_finished() {
    let fake = FakeInvites::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (_, first) = applier(&fake, &path)
        .sync(&roster(4), PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(first.summary().count(Outcome::Created), 4);
    // Per row: an intent, what it did, the row's outcome.
    let kinds: Vec<_> = records(&path)
        .iter()
        .map(|r| match r {
            Record::Intent { .. } => "intent",
            Record::Sent { .. } => "sent",
            Record::Row { .. } => "row",
        })
        .collect();
    assert_eq!(kinds, ["intent", "sent", "row"].repeat(4));

    fake.clear_requests();
    let (_, again) = applier(&fake, &path)
        .sync(&roster(4), PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(again.status(), RunStatus::AsPlanned);
    for (row, before) in again.rows.iter().zip(&first.rows) {
        assert_eq!(row.outcome, Outcome::Created);
        assert_eq!(row.invite_id, before.invite_id);
        assert_eq!(
            row.message.as_deref(),
            Some("done in an earlier run (journal)")
        );
    }
    assert_eq!(counts(&fake), (0, 0, 1));
}

#[tokio::test]
async fn an_interrupted_create_that_was_made_is_settled_by_reading_not_sent_again() {
    let fake = FakeInvites::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    stop_in_flight(&fake, &path, true, None).await;
    // The intent is there, its outcome is not.
    let last = records(&path).pop().unwrap();
    assert!(
        matches!(
            last,
            Record::Intent {
                step: Step::Create,
                ..
            }
        ),
        "{last:?}"
    );

    let (_, report) = applier(&fake, &path)
        .sync(&roster(3), PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(report.status(), RunStatus::AsPlanned, "{report:?}");
    assert_eq!(report.rows[0].outcome, Outcome::Created);
    assert_eq!(
        report.rows[0].message.as_deref(),
        Some("settled by reading the invites")
    );
    let sent = created_emails(&fake);
    assert_eq!(
        sent,
        [
            "user-0@example.com",
            "user-1@example.com",
            "user-2@example.com"
        ]
    );
    for i in 0..3 {
        assert_eq!(pending_of(&fake, &format!("user-{i}@example.com")), 1);
    }
    // The journal shows user-0's create once, and its row settled.
    let for_user0: Vec<_> = records(&path)
        .into_iter()
        .filter(|r| r.email() == "user-0@example.com")
        .collect();
    assert_eq!(for_user0.len(), 2, "{for_user0:?}");
    assert!(matches!(
        for_user0[1],
        Record::Row {
            outcome: Outcome::Created,
            ..
        }
    ));
}

#[tokio::test]
async fn an_interrupted_create_that_was_not_made_is_sent_again_after_a_read() {
    let fake = FakeInvites::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    stop_in_flight(&fake, &path, false, None).await;
    assert_eq!(pending_of(&fake, "user-0@example.com"), 0);
    fake.clear_requests();

    let (_, report) = applier(&fake, &path)
        .sync(&roster(3), PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(report.summary().count(Outcome::Created), 3);
    // The read came before the create was sent again.
    let log = fake.requests();
    assert_eq!(log[0].method, Method::GET);
    assert_eq!(created_emails(&fake).len(), 3);
    assert_eq!(pending_of(&fake, "user-0@example.com"), 1);
}

#[tokio::test]
async fn a_saved_plan_resumes_with_its_journal_without_being_called_stale() {
    let fake = FakeInvites::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let saved = plan(
        &roster(3),
        &read_invites(&client(&fake)).await.unwrap(),
        PlanOptions::default(),
    );
    stop_in_flight(&fake, &path, true, Some(saved.clone())).await;
    let report = applier(&fake, &path).apply(&saved).await.unwrap();
    assert_eq!(report.status(), RunStatus::AsPlanned, "{report:?}");
    assert_eq!(created_emails(&fake).len(), 3);
    // Without the journal, the same plan is stale now.
    let err = Applier::new(client(&fake)).apply(&saved).await.unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");
}

#[tokio::test]
async fn the_first_stop_finishes_the_rows_in_flight_and_starts_no_more() {
    let fake = FakeInvites::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let stop = StopSignal::new();
    let signal = stop.clone();
    let (_, report) = applier(&fake, &path)
        .stop_signal(stop)
        .on_progress(move |p| {
            if p.done == 2 {
                signal.stop();
            }
        })
        .sync(&roster(5), PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(report.status(), RunStatus::Interrupted);
    assert_eq!(report.summary().to_string(), "2 created, 3 skipped");
    assert_eq!(counts(&fake).0, 2);
    // Every row started has its outcome in the journal.
    let rows = records(&path)
        .iter()
        .filter(|r| matches!(r, Record::Row { .. }))
        .count();
    assert_eq!(rows, 2);

    let (_, rest) = applier(&fake, &path)
        .sync(&roster(5), PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(rest.status(), RunStatus::AsPlanned);
    assert_eq!(counts(&fake).0, 5);
}

#[test]
fn a_torn_last_line_is_dropped_and_a_torn_middle_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let whole = r#"{"record":"intent","at_ms":1,"email":"ana@example.com","action":"invite","step":"create"}"#;
    std::fs::write(&path, format!("{whole}\n{{\"record\":\"sent\",\"at_")).unwrap();
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.records().unwrap().len(), 1);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{whole}\n")
    );

    // A whole last record without its newline is kept, and the line ended.
    std::fs::write(&path, whole).unwrap();
    assert_eq!(Journal::open(&path).unwrap().records().unwrap().len(), 1);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{whole}\n")
    );

    std::fs::write(&path, format!("{whole}\nnot a record\n{whole}\n")).unwrap();
    match Journal::open(&path) {
        Err(JournalError::Corrupt { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
}

/// A journal file holding `records`.
fn journal_of(dir: &tempfile::TempDir, records: &[Record]) -> std::path::PathBuf {
    let path = dir.path().join("journal.jsonl");
    let text: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// An intent to create `email`'s invite, written `ago` before now (unix ms).
fn intent(email: &str, action: ActionKind, ago: Duration) -> Record {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    Record::Intent {
        at_ms: (now - ago).as_millis() as u64,
        email: email.to_owned(),
        action,
        step: if action == ActionKind::Revoke {
            Step::Delete
        } else {
            Step::Create
        },
        request: None,
        invite_id: (action == ActionKind::Revoke).then(|| "invite-gone".to_owned()),
    }
}

#[tokio::test(start_paused = true)]
async fn a_resume_reads_only_once_the_settle_delay_since_the_last_request_has_passed() {
    const DELAY: Duration = Duration::from_secs(30);
    let fake = FakeInvites::new();
    let dir = tempfile::tempdir().unwrap();
    let prepare = |path: &Path| {
        let applier = Applier::new(client(&fake))
            .settle_delay(DELAY)
            .journal(Journal::open(path).unwrap());
        async move {
            let started = tokio::time::Instant::now();
            let prepared = applier
                .prepare(&roster(3), PlanOptions::default())
                .await
                .unwrap();
            assert!(prepared.unplanned().is_empty());
            started.elapsed()
        }
    };
    // A request sent just now for a row of the roster: the whole delay (less the few ms this
    // test took since it wrote the intent).
    let just_now = journal_of(
        &dir,
        &[intent(
            "user-1@example.com",
            ActionKind::Invite,
            Duration::ZERO,
        )],
    );
    let waited = prepare(&just_now).await;
    assert!(
        waited <= DELAY && waited > DELAY - Duration::from_secs(1),
        "{waited:?}"
    );
    // Ten seconds ago: the rest of it.
    let earlier = journal_of(
        &dir,
        &[intent(
            "user-1@example.com",
            ActionKind::Invite,
            Duration::from_secs(10),
        )],
    );
    let waited = prepare(&earlier).await;
    assert!(
        waited <= DELAY - Duration::from_secs(10) && waited > DELAY - Duration::from_secs(11),
        "{waited:?}"
    );
    // Long ago, or every row finished: no wait.
    let long_ago = journal_of(
        &dir,
        &[intent(
            "user-1@example.com",
            ActionKind::Invite,
            Duration::from_secs(600),
        )],
    );
    assert_eq!(prepare(&long_ago).await, Duration::ZERO);
    assert_eq!(
        prepare(&dir.path().join("empty.jsonl")).await,
        Duration::ZERO
    );
}

#[tokio::test(start_paused = true)]
async fn rows_left_under_way_that_the_plan_does_not_include_are_reported_not_waited_for() {
    let fake = FakeInvites::new();
    let dir = tempfile::tempdir().unwrap();
    // An email since dropped from the roster, and a revocation planned then with prune.
    let path = journal_of(
        &dir,
        &[
            intent("dropped@example.com", ActionKind::Invite, Duration::ZERO),
            intent("stranger@example.org", ActionKind::Revoke, Duration::ZERO),
        ],
    );
    let applier = Applier::new(client(&fake))
        .settle_delay(Duration::from_secs(30))
        .journal(Journal::open(&path).unwrap());
    let started = tokio::time::Instant::now();
    let prepared = applier
        .prepare(&roster(2), PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO, "nothing to wait for");
    let unplanned: Vec<_> = prepared
        .unplanned()
        .iter()
        .map(|r| {
            (
                r.email.as_str(),
                r.action,
                r.outcome,
                r.invite_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        unplanned,
        [
            (
                "dropped@example.com",
                ActionKind::Invite,
                Outcome::Unknown,
                None
            ),
            (
                "stranger@example.org",
                ActionKind::Revoke,
                Outcome::Unknown,
                Some("invite-gone")
            ),
        ]
    );
    let report = prepared.apply().await;
    // They are reported, and do not make the run's status.
    assert_eq!(report.status(), RunStatus::AsPlanned);
    assert_eq!(report.unplanned.len(), 2);
    assert!(
        report.unplanned[0]
            .message
            .as_deref()
            .unwrap()
            .contains("not in this plan")
    );
    assert_eq!(report.summary().count(Outcome::Created), 2);

    // With prune, the revocation may be in the plan: the run waits for it.
    let applier = Applier::new(client(&fake))
        .settle_delay(Duration::from_secs(30))
        .max_revoke("100%".parse().unwrap())
        .journal(Journal::open(&path).unwrap());
    let started = tokio::time::Instant::now();
    let options = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    applier.prepare(&roster(2), options).await.unwrap();
    assert!(started.elapsed() > Duration::from_secs(29));
}
