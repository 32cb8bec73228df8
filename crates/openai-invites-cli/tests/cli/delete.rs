//! `delete`: refused without `--yes` off a terminal (before any request), accepted invites
//! refused, several ids with some failing (partial), `--email`.

use snapbox::{assert_data_eq, file};

use crate::support::Fake;

fn ids(fake: &Fake) -> Vec<String> {
    fake.invites()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn without_yes_off_a_terminal_nothing_is_sent() {
    let fake = Fake::start();
    let run = fake.cli().run("delete invite-ana");
    run.code(2);
    assert_data_eq!(run.stderr.clone(), file!["snapshots/delete.refused.stderr"]);
    assert_eq!(run.stdout, "");
    assert!(fake.requests().is_empty());
    assert_eq!(ids(&fake).len(), 5);
}

#[test]
fn with_yes_it_deletes() {
    let fake = Fake::start();
    let run = fake.cli().run("delete invite-ana invite-cy --yes");
    run.code(0);
    let deleted = "invite-ana\tana@example.com\ttrue\ninvite-cy\tcy@example.com\ttrue\n";
    assert_eq!(run.stdout, deleted);
    assert_eq!(ids(&fake), ["invite-eli", "invite-dee", "invite-bo"]);
    let json = fake.cli().run("delete invite-eli -y -o json");
    assert_data_eq!(json.stdout.clone(), file!["snapshots/delete.json"]);
}

#[test]
fn an_accepted_invite_is_refused() {
    let fake = Fake::start();
    let run = fake.cli().run("delete invite-bo --yes");
    run.code(2);
    assert_data_eq!(
        run.stderr.clone(),
        file!["snapshots/delete.accepted.stderr"]
    );
    assert_eq!(fake.requests(), ["GET retrieveInvite"]);
    assert_eq!(ids(&fake).len(), 5);
}

#[test]
fn some_failing_is_partial() {
    let fake = Fake::start();
    let run = fake
        .cli()
        .run("delete invite-ana invite-gone invite-bo --yes");
    run.code(3);
    assert_data_eq!(run.stderr.clone(), file!["snapshots/delete.partial.stderr"]);
    assert_eq!(run.stdout, "invite-ana\tana@example.com\ttrue\n");
    assert!(!ids(&fake).contains(&"invite-ana".to_owned()));
    // Nothing done at all: the most serious failure.
    fake.cli().run("delete invite-gone --yes").code(1);
}

#[test]
fn by_email() {
    let fake = Fake::start();
    fake.seed(serde_json::json!([{"id": "invite-cy2", "email": "CY@example.com"}]));
    let run = fake.cli().run("delete --email cy@EXAMPLE.com --yes");
    run.code(0);
    let deleted = "invite-cy2\tCY@example.com\ttrue\ninvite-cy\tcy@example.com\ttrue\n";
    assert_eq!(run.stdout, deleted);
    let missing = fake.cli().run("delete --email nobody@example.com --yes");
    missing.code(1).stderr_has("no invite for this email");
}
