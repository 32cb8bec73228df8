//! `plan` and `apply` piped, as a script runs them: outputs, exit codes (terraform's with
//! `--detailed-exitcode`), a stale plan, `--max-revoke`, the refusal without `--yes`, the
//! `--report` file, the requests it costs, and `--demo` with the sample roster.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use snapbox::{assert_data_eq, file};

use crate::support::{Cli, Fake};

/// Against [`samples`](crate::support::samples): ana keep, bo accepted, cy reissue (expired),
/// dee drift (role), new invite; eli (pending, off the roster) revoked with `--prune`.
pub const ROSTER: &str = "\
email,role,projects
ana@example.com,owner,
bo@example.com,reader,
cy@example.com,reader,
dee@example.com,owner,
new@example.com,reader,proj_x:owner
";

/// A file in a fresh directory (kept as long as the directory).
pub fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The sample fake, a directory, and [`ROSTER`] in it.
pub fn cohort() -> (Fake, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let roster = write(&dir, "cohort.csv", ROSTER);
    (Fake::start(), dir, roster)
}

pub fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// What the fake received: `(method operation, status)`, oldest first.
pub fn received(fake: &Fake) -> Vec<(String, Option<u64>)> {
    let log = fake.control("GET", "requests", None);
    log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let what = format!("{} {}", r["method"].as_str().unwrap(), r["operation"]);
            (what.replace('"', ""), r["status"].as_u64())
        })
        .collect()
}

pub fn count(fake: &Fake, what: &str) -> usize {
    received(fake).iter().filter(|(w, _)| w == what).count()
}

/// The pending invites the fake holds, by email.
pub fn pending(fake: &Fake) -> Vec<String> {
    let mut emails: Vec<String> = fake
        .invites()
        .iter()
        .filter(|i| i["status"] == "pending")
        .map(|i| i["email"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    emails
}

#[test]
fn plan_shows_every_action_and_changes_nothing() {
    let (fake, dir, roster) = cohort();
    let saved = dir.path().join("plan.json");
    let run = fake
        .cli()
        .run_args(&["plan", arg(&roster), "--prune", "--out", arg(&saved)]);
    run.code(0);
    assert_data_eq!(run.stdout.clone(), file!["snapshots/plan.tsv"]);
    run.stderr_has(
        "plan: 1 to invite, 1 to reissue, 0 to replace, 1 to revoke; 1 kept, 1 drifted, 1 \
         accepted (against 5 invites)",
    );
    let table = fake.cli().run_args(&["plan", arg(&roster), "-o", "table"]);
    assert_data_eq!(table.stdout.clone(), file!["snapshots/plan.table.txt"]);
    // The saved plan is the plan's JSON, with what it was made against.
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(plan["format"], 1);
    assert_eq!(plan["snapshot"]["invites"], 5);
    assert!(
        plan["snapshot"]["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(plan["actions"].as_array().unwrap().len(), 6);
    let json = fake
        .cli()
        .run_args(&["plan", arg(&roster), "--prune", "-o", "json"]);
    assert_eq!(serde_json::from_str::<Value>(&json.stdout).unwrap(), plan);
    assert!(received(&fake).iter().all(|(w, _)| w == "GET listInvites"));
}

#[test]
fn detailed_exitcode_is_terraforms() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let changes = write(&dir, "changes.csv", ROSTER);
    let keep = write(&dir, "keep.csv", "email,role\nana@example.com,owner\n");
    let drift = write(&dir, "drift.csv", "email,role\ndee@example.com,owner\n");
    let bad = write(
        &dir,
        "bad.csv",
        "email,role\nnot-an-email,owner\ncy@example.com,boss\n",
    );
    let code = |args: &[&str]| fake.cli().run_args(args).code;
    let detailed = "--detailed-exitcode";
    assert_eq!(code(&["plan", arg(&changes), detailed]), 2);
    assert_eq!(code(&["plan", arg(&keep), detailed]), 0);
    // Drift is something to apply only when it would be replaced.
    assert_eq!(code(&["plan", arg(&drift), detailed]), 0);
    assert_eq!(
        code(&["plan", arg(&drift), detailed, "--replace-drifted"]),
        2
    );
    // Any error is 1: a bad roster (every problem said, with its line), a refused key.
    let refused = fake.cli().run_args(&["plan", arg(&bad), detailed]);
    refused
        .code(1)
        .stderr_has("bad.csv: line 2: `not-an-email` is not an email address")
        .stderr_has("bad.csv: line 3: unknown role `boss`");
    assert_eq!(fake.cli().run_args(&["plan", arg(&bad)]).code, 2);
    let no_key = fake
        .cli()
        .env("OPENAI_ADMIN_KEY", "sk-admin-wrong")
        .run_args(&["plan", arg(&keep), detailed])
        .code;
    assert_eq!(no_key, 1);
}

#[test]
fn apply_without_yes_off_a_terminal_sends_nothing() {
    let (fake, _dir, roster) = cohort();
    let run = fake.cli().run_args(&["apply", arg(&roster)]);
    run.code(2).stderr_has("refusing to apply without --yes");
    assert_eq!(run.stdout, "");
    assert!(received(&fake).is_empty());
}

#[test]
fn apply_does_each_row_and_reports_it() {
    let (fake, dir, roster) = cohort();
    let report = dir.path().join("report.csv");
    let run = fake.cli().run_args(&[
        "apply",
        arg(&roster),
        "--yes",
        "--prune",
        "--max-revoke",
        "1",
        "--report",
        arg(&report),
    ]);
    run.code(0)
        .stderr_has("applied: 1 created, 1 reissued, 1 revoked, 2 kept, 1 accepted");
    assert_data_eq!(run.stdout.clone(), file!["snapshots/apply.tsv"]);
    assert_data_eq!(
        std::fs::read_to_string(&report).unwrap(),
        file!["snapshots/apply.report.csv"]
    );
    // One read, then one request per change: cy's expired invite and eli's pending one
    // deleted, cy and new invited.
    assert_eq!(count(&fake, "GET listInvites"), 1);
    assert_eq!(count(&fake, "DELETE deleteInvite"), 2);
    assert_eq!(count(&fake, "POST inviteUser"), 2);
    let emails = [
        "ana@example.com",
        "cy@example.com",
        "dee@example.com",
        "new@example.com",
    ];
    assert_eq!(pending(&fake), emails);
    // Planning again: nothing to apply (dee's drift is left alone).
    let again = fake
        .cli()
        .run_args(&["plan", arg(&roster), "--prune", "--detailed-exitcode"]);
    again.code(0);
}

#[test]
fn a_saved_plan_is_refused_once_an_invite_it_acts_on_changed() {
    let (fake, dir, roster) = cohort();
    let saved = dir.path().join("plan.json");
    fake.cli()
        .run_args(&["plan", arg(&roster), "--out", arg(&saved)])
        .code(0);
    // Someone deletes cy's expired invite, which the plan reissues.
    fake.cli().run("delete invite-cy --yes").code(0);
    let before = received(&fake).len();
    let run = fake.cli().run_args(&["apply", arg(&saved), "--yes"]);
    run.code(2)
        .stderr_has("the saved plan is stale: the invites of cy@example.com changed");
    let after: Vec<_> = received(&fake).split_off(before);
    assert_eq!(after, [("GET listInvites".to_owned(), Some(200))]);
    // A saved plan carries its own options.
    let run = fake
        .cli()
        .run_args(&["apply", arg(&saved), "--yes", "--prune"]);
    run.code(2).stderr_has("the saved plan's own");
}

#[test]
fn too_many_revocations_abort_before_anything_changes() {
    let (fake, _dir, roster) = cohort();
    // eli is one of 3 pending: 33 %, over the default 10 %.
    let run = fake
        .cli()
        .run_args(&["apply", arg(&roster), "--yes", "--prune"]);
    run.code(2)
        .stderr_has("the plan revokes 1 pending invites, more than the 0 allowed")
        .stderr_has("--max-revoke 1");
    assert_eq!(received(&fake), [("GET listInvites".to_owned(), Some(200))]);
    let run = fake.cli().run_args(&[
        "apply",
        arg(&roster),
        "--yes",
        "--prune",
        "--max-revoke",
        "40%",
    ]);
    run.code(0);
}

#[test]
fn some_rows_failed_is_3_some_unknown_is_5() {
    let dir = tempfile::tempdir().unwrap();
    let two = write(
        &dir,
        "two.csv",
        "email,role\nu1@example.com,reader\nu2@example.com,reader\n",
    );
    // The first create is refused: that row failed, the other was done.
    let fake = Fake::empty();
    fake.fault(json!({"status": 400, "operation": "inviteUser"}));
    let run = fake
        .cli()
        .run_args(&["apply", arg(&two), "--yes", "--concurrency", "1"]);
    run.code(3).stderr_has("1 row failed: u1@example.com");
    assert_eq!(pending(&fake), ["u2@example.com"]);

    // A create whose connection dropped, and the invites cannot be read to settle it.
    let fake = Fake::empty();
    fake.fault(json!({"delay_ms": 0, "operation": "listInvites"})); // the snapshot passes
    fake.fault(json!({"status": 503, "operation": "listInvites", "times": 50}));
    fake.fault(json!({"kind": "drop_connection", "operation": "inviteUser"}));
    let run = fake.cli().run_args(&[
        "apply",
        arg(&two),
        "--yes",
        "--concurrency",
        "1",
        "--max-retries",
        "0",
    ]);
    run.code(5)
        .stderr_has("1 row unknown: u1@example.com")
        .stderr_has("the change may or may not have been made");
}

/// N rows against M invites with k ambiguous creates cost N + ceil(M/100) requests and one
/// more read of every page per settling pass: counted in the fake's log, with no 429.
#[test]
fn requests_scale_with_the_changes_not_with_the_organization() {
    let fake = Fake::empty();
    let others: Vec<Value> = (0..250)
        .map(|n| json!({"email": format!("staff-{n}@example.org")}))
        .collect();
    fake.seed(json!(others));
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("email,role\n");
    for n in 0..40 {
        csv.push_str(&format!("user-{n}@example.com,reader\n"));
    }
    let roster = write(&dir, "cohort.csv", &csv);
    // k = 3: three creates made, their answers lost.
    fake.fault(json!({"kind": "drop_connection", "apply_first": true, "operation": "inviteUser", "times": 3}));
    fake.control("PUT", "quota", Some(json!({"requests": 200, "per": "1s"})));
    let run = fake
        .cli()
        .run_args(&["apply", arg(&roster), "--yes", "--rate", "150/s"]);
    run.code(0);
    let log = received(&fake);
    // The snapshot (3 pages of 250), 40 creates, one settling pass (3 pages of 290).
    assert_eq!(count(&fake, "POST inviteUser"), 40);
    assert_eq!(count(&fake, "GET listInvites"), 3 + 3);
    assert_eq!(log.len(), 40 + 3 * (1 + 1));
    assert!(
        log.iter().all(|(_, status)| *status != Some(429)),
        "{log:?}"
    );
    assert_eq!(pending(&fake).len(), 250 + 40);
}

fn sample_roster() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openai-invites-roster/examples/cohort.csv")
}

#[test]
fn the_demo_plans_and_applies_the_sample_roster() {
    let roster = sample_roster();
    let plan = Cli::new().run_args(&["--demo", "plan", arg(&roster), "--prune", "-o", "table"]);
    plan.code(0);
    assert_data_eq!(plan.stdout.clone(), file!["snapshots/demo.plan.table.txt"]);
    assert_data_eq!(plan.stderr.clone(), file!["snapshots/demo.plan.stderr"]);
    let apply = Cli::new().run_args(&[
        "--demo",
        "apply",
        arg(&roster),
        "--prune",
        "--max-revoke",
        "2",
        "--yes",
        "-o",
        "table",
    ]);
    apply.code(0);
    assert_data_eq!(
        apply.stdout.clone(),
        file!["snapshots/demo.apply.table.txt"]
    );
    assert_data_eq!(apply.stderr.clone(), file!["snapshots/demo.apply.stderr"]);
}
