//! Every output format of `list` and `get`, piped; the piped default.

use serde_json::{Value, json};
use snapbox::{assert_data_eq, file};

use crate::support::Fake;

#[test]
fn list_in_every_format() {
    let fake = Fake::start();
    let piped = fake.cli().run("list");
    piped.code(0);
    assert_data_eq!(piped.stdout.clone(), file!["snapshots/list.default.txt"]);
    assert_eq!(piped.stderr, "");
    for (format, snapshot) in [
        ("table", file!["snapshots/list.table.txt"]),
        ("tsv", file!["snapshots/list.tsv"]),
        ("csv", file!["snapshots/list.csv"]),
        ("json", file!["snapshots/list.json"]),
        ("jsonl", file!["snapshots/list.jsonl"]),
    ] {
        let run = fake.cli().run(&format!("list -o {format}"));
        run.code(0);
        assert_data_eq!(run.stdout.clone(), snapshot);
    }
    // A piped table has no colours.
    let table = fake.cli().run("list -o table");
    assert!(!table.stdout.contains('\u{1b}'), "{}", table.stdout);
    assert!(fake.requests().iter().all(|r| r == "GET listInvites"));
}

#[test]
fn json_is_the_apis_own_objects() {
    let fake = Fake::start();
    let run = fake.cli().run("list -o json");
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut listed = listed.as_array().unwrap().clone();
    let mut held = fake.invites();
    let by_id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    held.sort_by_key(by_id);
    listed.sort_by_key(by_id);
    assert_eq!(listed, held);
}

#[test]
fn list_filters_and_limit() {
    let fake = Fake::start();
    let ids = |line: &str| -> Vec<String> {
        let run = fake.cli().run(line);
        run.code(0);
        let first = |l: &str| l.split('\t').next().unwrap().to_owned();
        run.stdout.lines().map(first).collect()
    };
    let pending = ["invite-eli", "invite-dee", "invite-ana"];
    assert_eq!(ids("list --status pending"), pending);
    assert_eq!(ids("list --status expired"), ["invite-cy"]);
    assert_eq!(ids("list --email EXAMPLE.ORG"), ["invite-eli"]);
    assert_eq!(ids("list --status pending --limit 2"), pending[..2]);
    assert!(ids("list --email nobody").is_empty());
}

#[test]
fn list_reads_every_page() {
    let fake = Fake::empty();
    let many: Vec<Value> = (0..250)
        .map(|n| json!({"email": format!("user{n:03}@example.com"), "created_at": 1_000 + n}))
        .collect();
    fake.seed(Value::Array(many));
    let run = fake.cli().run("list");
    run.code(0);
    assert_eq!(run.stdout.lines().count(), 250);
    assert_eq!(fake.requests().len(), 3, "pages of 100");
    let capped = fake.cli().run("list --limit 120");
    assert_eq!(capped.stdout.lines().count(), 120);
    assert_eq!(fake.requests().len(), 5, "--limit stops reading pages");
}

#[test]
fn get_in_every_format() {
    let fake = Fake::start();
    for (flags, snapshot) in [
        ("", file!["snapshots/get.default.txt"]),
        ("-o table", file!["snapshots/get.table.txt"]),
        ("-o tsv", file!["snapshots/get.tsv"]),
        ("-o csv", file!["snapshots/get.csv"]),
        ("-o json", file!["snapshots/get.json"]),
        ("-o jsonl", file!["snapshots/get.jsonl"]),
    ] {
        let run = fake.cli().run(&format!("get invite-dee {flags}"));
        run.code(0);
        assert_data_eq!(run.stdout.clone(), snapshot);
    }
}
