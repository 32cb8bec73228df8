//! How `plan` and `apply` exit when something stands in their way: terraform's codes for
//! usage and configuration errors, a saved plan made stale by any change to what it was
//! decided from, a journal that cannot be written, rows an earlier run left that the plan
//! no longer has.

use serde_json::json;

use crate::roster::{ROSTER, arg, cohort, count, pending, received, write};
use crate::support::{BIN, Fake, KEY, NOW};

#[test]
fn with_detailed_exitcode_a_usage_or_configuration_error_is_1() {
    let (fake, _dir, roster) = cohort();
    let roster = arg(&roster);
    let detailed = "--detailed-exitcode";
    let run = |args: &[&str]| fake.cli().run_args(args);
    // clap's own error, wherever the flag stands.
    run(&["plan", roster, detailed, "--prnue"]).code(1);
    run(&["plan", "--prnue", roster, detailed]).code(1);
    run(&["plan", roster, "--prnue"]).code(2);
    // The configuration: a key on the command line, a bad clock, auto on Redis.
    run(&["plan", roster, detailed, "--admin-key", "k"])
        .code(1)
        .stderr_has("--admin-key is not accepted");
    run(&["plan", roster, "--admin-key", "k"]).code(2);
    let auto_on_redis = [
        "plan",
        roster,
        detailed,
        "--rate",
        "auto",
        "--redis-url",
        "redis://127.0.0.1:1",
    ];
    run(&auto_on_redis).code(1).stderr_has("--rate auto");
    fake.cli()
        .env("OPENAI_INVITES_NOW", "yesterday")
        .run_args(&["plan", roster, detailed])
        .code(1);
    // Help is no error.
    run(&["plan", "--help", detailed]).code(0);
    assert!(received(&fake).is_empty());
}

#[test]
fn a_saved_plan_is_stale_when_an_invite_it_only_keeps_is_gone() {
    let (fake, dir, roster) = cohort();
    let saved = dir.path().join("plan.json");
    fake.cli()
        .run_args(&["plan", arg(&roster), "--out", arg(&saved)])
        .code(0);
    // ana's pending invite, which the plan keeps, is deleted meanwhile: applying the plan
    // would report it kept and leave ana without an invite.
    fake.cli().run("delete invite-ana --yes").code(0);
    let run = fake.cli().run_args(&["apply", arg(&saved), "--yes"]);
    run.code(2)
        .stderr_has("the saved plan is stale: the invites of ana@example.com changed");
    assert_eq!(count(&fake, "POST inviteUser"), 0);

    // With --prune, a pending invite off the roster that appeared since: planning now would
    // revoke it.
    let (fake, dir, roster) = cohort();
    let saved = dir.path().join("plan.json");
    fake.cli()
        .run_args(&["plan", arg(&roster), "--prune", "--out", arg(&saved)])
        .code(0);
    fake.seed(json!([{"email": "late@example.org"}]));
    let run = fake
        .cli()
        .run_args(&["apply", arg(&saved), "--yes", "--max-revoke", "2"]);
    run.code(2)
        .stderr_has("the invites of late@example.org changed");
}

/// A journal whose writes fail after a few records: `apply` in a shell that limits the size
/// of the files it writes (SIGXFSZ ignored, so a write past it fails with EFBIG).
#[cfg(unix)]
#[test]
fn a_journal_that_cannot_be_written_stops_the_run_and_exits_1() {
    let fake = Fake::empty();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("email,role\n");
    for n in 0..20 {
        csv.push_str(&format!("u{n}@example.com,reader\n"));
    }
    let roster = write(&dir, "cohort.csv", &csv);
    let journal = dir.path().join("journal.jsonl");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(["apply", "--yes", "--concurrency", "1", "--journal"])
        .arg(&journal)
        .arg(&roster)
        .env_clear()
        .env("OPENAI_INVITES_NOW", NOW.to_string())
        .env("OPENAI_BASE_URL", &fake.base_url)
        .env("OPENAI_ADMIN_KEY", KEY)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Some rows were done: the journal failing still outranks them (not 3, partial).
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the journal could not be written"),
        "{stderr}"
    );
    let done = pending(&fake).len();
    assert!(done > 0 && done < 20, "{done} rows done:\n{stderr}");
    // What the journal holds opens cleanly: nothing follows the failed write.
    let rerun = fake.cli().run_args(&[
        "apply",
        arg(&roster),
        "--yes",
        "--journal",
        journal.to_str().unwrap(),
    ]);
    rerun.code(0);
    assert_eq!(pending(&fake).len(), 20);
}

#[test]
fn rows_an_earlier_run_left_that_the_plan_no_longer_has_are_reported() {
    let (fake, dir, roster) = cohort();
    // An earlier run, with dropped@ on its roster, was killed after sending its create.
    let journal = write(
        &dir,
        "journal.jsonl",
        &format!(
            "{}\n",
            json!({"record": "intent", "at_ms": 1, "email": "dropped@example.com",
                   "action": "invite", "step": "create"})
        ),
    );
    let report = dir.path().join("report.csv");
    let run = fake.cli().run_args(&[
        "apply",
        arg(&roster),
        "--yes",
        "--journal",
        arg(&journal),
        "--report",
        arg(&report),
    ]);
    run.code(0).stderr_has(
        "journal: dropped@example.com (invite) had a request under way in an earlier run and \
         is not in this plan",
    );
    let report = std::fs::read_to_string(&report).unwrap();
    let last = report.lines().last().unwrap();
    assert!(
        last.starts_with("dropped@example.com,invite,unknown,,,\"an earlier run sent"),
        "{report}"
    );
    assert_eq!(report.lines().count(), 1 + ROSTER.lines().count() - 1 + 1);
}
