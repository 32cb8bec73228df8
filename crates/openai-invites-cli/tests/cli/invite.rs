//! `invite`: ensure semantics (created, found pending, found accepted, reissued) and
//! `--dry-run`, checked against what the fake holds and received.

use serde_json::json;
use snapbox::{assert_data_eq, file};

use crate::support::Fake;

/// The invites the fake holds for `email`, as (status, id).
fn held(fake: &Fake, email: &str) -> Vec<(String, String)> {
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    let invites = fake.invites();
    let mine = invites.iter().filter(|i| i["email"] == email);
    mine.map(|i| (text(&i["status"]), text(&i["id"]))).collect()
}

const NEW: &str =
    "invite new@example.com --role reader --project proj_web --project proj_data:owner";

#[test]
fn creates_when_there_is_none() {
    let fake = Fake::start();
    let run = fake.cli().run(NEW);
    run.code(0);
    assert_data_eq!(run.stderr.clone(), file!["snapshots/invite.created.stderr"]);
    assert_data_eq!(run.stdout.clone(), file!["snapshots/invite.created.stdout"]);
    let held = held(&fake, "new@example.com");
    assert_eq!(held.len(), 1);
    assert!(run.stdout.starts_with(&held[0].1), "{}", run.stdout);
    let created = &fake.invites()[0];
    assert_eq!(created["role"], "reader");
    let projects =
        json!([{"id": "proj_web", "role": "member"}, {"id": "proj_data", "role": "owner"}]);
    assert_eq!(created["projects"], projects);
    // Once more, the email in another case: found pending, nothing sent.
    let again = fake.cli().run(&NEW.replace("new@", "NEW@"));
    again.code(0);
    assert!(
        again.stderr.starts_with("found pending"),
        "{}",
        again.stderr
    );
    assert!(!again.stderr.contains("warning"), "{}", again.stderr);
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count(),
        1
    );
}

#[test]
fn no_projects_and_the_default_project_stay_distinct() {
    let fake = Fake::start();
    fake.cli()
        .run("invite none@example.com --role reader --no-projects")
        .code(0);
    fake.cli()
        .run("invite default@example.com --role reader")
        .code(0);
    let invites = fake.invites();
    let projects =
        |email: &str| invites.iter().find(|i| i["email"] == email).unwrap()["projects"].clone();
    assert_eq!(projects("none@example.com"), json!([]));
    assert_eq!(
        projects("default@example.com"),
        json!([{"id": "proj_default", "role": "member"}])
    );
}

#[test]
fn a_pending_invite_with_other_terms_is_left_alone_and_reported() {
    let fake = Fake::start();
    let run = fake
        .cli()
        .run("invite ana@example.com --role reader --no-projects");
    run.code(0);
    assert_data_eq!(run.stderr.clone(), file!["snapshots/invite.pending.stderr"]);
    assert_eq!(fake.requests(), ["GET listInvites"]);
}

#[test]
fn an_accepted_invite_is_left_alone() {
    let fake = Fake::start();
    let run = fake.cli().run("invite bo@example.com --role reader");
    run.code(0);
    assert_data_eq!(
        run.stderr.clone(),
        file!["snapshots/invite.accepted.stderr"]
    );
    assert!(run.stdout.starts_with("invite-bo\t"), "{}", run.stdout);
    assert_eq!(fake.requests(), ["GET listInvites"]);
}

#[test]
fn an_expired_invite_is_reissued() {
    let fake = Fake::start();
    let run = fake
        .cli()
        .run("invite cy@example.com --role reader -o json");
    run.code(0);
    assert_data_eq!(
        run.stderr.clone(),
        file!["snapshots/invite.reissued.stderr"]
    );
    let invite: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let id = invite["id"].as_str().unwrap().to_owned();
    assert_eq!(held(&fake, "cy@example.com"), [("pending".to_owned(), id)]);
    let requests = ["GET listInvites", "DELETE deleteInvite", "POST inviteUser"];
    assert_eq!(fake.requests(), requests);
}

#[test]
fn a_dry_run_only_reads() {
    let fake = Fake::start();
    for (email, snapshot) in [
        (
            "new@example.com",
            file!["snapshots/invite.dry-run.create.stderr"],
        ),
        (
            "ana@example.com",
            file!["snapshots/invite.dry-run.pending.stderr"],
        ),
        (
            "bo@example.com",
            file!["snapshots/invite.dry-run.accepted.stderr"],
        ),
        (
            "cy@example.com",
            file!["snapshots/invite.dry-run.reissue.stderr"],
        ),
    ] {
        let run = fake
            .cli()
            .run(&format!("invite {email} --role owner --dry-run"));
        run.code(0);
        assert_data_eq!(run.stderr.clone(), snapshot);
    }
    assert_eq!(fake.requests(), ["GET listInvites"; 4]);
    assert_eq!(fake.invites().len(), 5);
}
