//! `apply` in a real pseudo-terminal: the plan and the question, the progress bar, Ctrl-C
//! (the first lets the rows under way finish, then exit 130; the journal resumes the run).

use crate::roster::{pending, write};
use crate::support::Fake;
use crate::terminal::{finish, spawn};

#[test]
fn apply_shows_the_plan_asks_and_draws_its_progress() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let roster = write(
        &dir,
        "cohort.csv",
        "email,role\ncy@example.com,reader\nnew@example.com,owner\n",
    );
    let line = format!("apply {}", roster.display());
    let mut session = spawn(&fake, &line, &[]);
    session.exp_string("reissue").unwrap();
    session.exp_string("Apply these 2 changes? [y/N]").unwrap();
    session.send_line("y").unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 0, "{screen}");
    let plain = anstream::adapter::strip_str(&screen).to_string();
    assert!(plain.contains("applying ["), "a progress bar:\n{plain}");
    assert!(plain.contains("applied: 1 created, 1 reissued"), "{plain}");
    assert!(pending(&fake).contains(&"new@example.com".to_owned()));
}

#[test]
fn no_at_the_question_changes_nothing() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let roster = write(&dir, "cohort.csv", "email,role\nnew@example.com,owner\n");
    let mut session = spawn(&fake, &format!("apply {}", roster.display()), &[]);
    session.exp_string("Apply this change? [y/N]").unwrap();
    session.send_line("n").unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 2, "{screen}");
    assert!(
        screen.contains("not confirmed: nothing changed"),
        "{screen}"
    );
    assert!(!pending(&fake).contains(&"new@example.com".to_owned()));
}

#[test]
fn ctrl_c_at_the_question_is_an_interruption_and_changes_nothing() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let roster = write(&dir, "cohort.csv", "email,role\nnew@example.com,owner\n");
    let mut session = spawn(&fake, &format!("apply {}", roster.display()), &[]);
    session.exp_string("Apply this change? [y/N]").unwrap();
    session.send_control('c').unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("interrupted"), "{screen}");
    assert!(!pending(&fake).contains(&"new@example.com".to_owned()));
}

#[test]
fn ctrl_c_lets_the_rows_under_way_finish_and_the_journal_resumes() {
    let fake = Fake::empty();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("email,role\n");
    for n in 0..40 {
        csv.push_str(&format!("u{n}@example.com,reader\n"));
    }
    let roster = write(&dir, "cohort.csv", &csv);
    let journal = dir.path().join("journal.jsonl");
    // Slow: 8 rows a second.
    let line = format!(
        "apply {} --yes --rate 8/s --journal {}",
        roster.display(),
        journal.display()
    );
    let mut session = spawn(&fake, &line, &[]);
    session.exp_string("applying [").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    session.send_control('c').unwrap();
    session.exp_string("stopping: no new rows start").unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 130, "{screen}");
    assert!(
        screen.contains("interrupted: to finish, run the same apply again"),
        "{screen}"
    );
    let done = pending(&fake).len();
    assert!(done > 0 && done < 40, "{done} of 40 done before the stop");
    // Every row started was finished and recorded: the journal has no intent left open.
    let text = std::fs::read_to_string(&journal).unwrap();
    let intents = text.matches("\"record\":\"intent\"").count();
    let rows = text.matches("\"record\":\"row\"").count();
    assert_eq!(intents, rows, "{text}");
    assert_eq!(rows, done);

    let resumed = fake.cli().run_args(&[
        "apply",
        roster.to_str().unwrap(),
        "--yes",
        "--journal",
        journal.to_str().unwrap(),
    ]);
    resumed.code(0);
    assert_eq!(pending(&fake).len(), 40);
}
