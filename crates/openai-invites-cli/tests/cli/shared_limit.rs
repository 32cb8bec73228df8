//! `--redis-url`: the `--rate` budget kept on a real `redis-server`, shared by every process
//! that names the same limit. Without `redis-server` these tests are skipped, saying so
//! (under `CI=true` they fail), as the Redis crate's own tests are.

use std::process::{Command, Stdio};

use crate::redis_server::RedisServer;
use crate::roster::{pending, write};
use crate::support::{BIN, Fake, KEY, NOW};

/// `apply` of `csv` with `args`, started (not waited for).
fn apply(
    fake: &Fake,
    dir: &tempfile::TempDir,
    name: &str,
    csv: &str,
    args: &[&str],
) -> std::process::Child {
    let roster = write(dir, name, csv);
    Command::new(BIN)
        .env_clear()
        .env("OPENAI_INVITES_NOW", NOW.to_string())
        .env("OPENAI_BASE_URL", &fake.base_url)
        .env("OPENAI_ADMIN_KEY", KEY)
        .args(["apply", "--yes"])
        .args(args)
        .arg(roster)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn roster(prefix: &str, rows: usize) -> String {
    let mut csv = String::from("email,role\n");
    for n in 0..rows {
        csv.push_str(&format!("{prefix}-{n}@example.com,reader\n"));
    }
    csv
}

#[test]
fn two_applies_take_every_permit_from_one_limit_on_redis() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let fake = Fake::empty();
    let dir = tempfile::tempdir().unwrap();
    let url = redis.url();
    let shared = [
        "--rate",
        "40/s",
        "--redis-url",
        &url,
        "--redis-name",
        "org-cli-test",
    ];
    let children = [
        apply(&fake, &dir, "a.csv", &roster("a", 8), &shared),
        apply(&fake, &dir, "b.csv", &roster("b", 8), &shared),
    ];
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains(KEY), "{stderr}");
    }
    assert_eq!(pending(&fake).len(), 16);
    // Every request of both (a page read and 8 creates each) took its permit from the one
    // limit named on Redis: one EVALSHA per permit.
    let requests = fake.requests().len() as u64;
    assert_eq!(requests, 2 * (1 + 8));
    assert!(
        redis.evalsha_calls() >= requests,
        "{} EVALSHA",
        redis.evalsha_calls()
    );
    assert!(redis.tat("org-cli-test") > 0);

    // Without it, nothing asks Redis.
    let before = redis.evalsha_calls();
    let alone = apply(&fake, &dir, "c.csv", &roster("c", 2), &["--rate", "40/s"]);
    assert!(alone.wait_with_output().unwrap().status.success());
    assert_eq!(redis.evalsha_calls(), before);
}

#[test]
fn a_limit_on_redis_needs_a_fixed_rate_and_a_good_url() {
    let fake = Fake::empty();
    let dir = tempfile::tempdir().unwrap();
    let csv = roster("a", 1);
    let roster = write(&dir, "a.csv", &csv);
    let roster = roster.to_str().unwrap();
    let run = |args: &[&str]| fake.cli().run_args(args);
    run(&[
        "apply",
        roster,
        "--yes",
        "--rate",
        "auto",
        "--redis-url",
        "redis://127.0.0.1:1",
    ])
    .code(2)
    .stderr_has("--rate auto");
    // A scheme this build cannot use; the password is not repeated.
    let tls = run(&[
        "apply",
        roster,
        "--yes",
        "--redis-url",
        "rediss://:hunter2@127.0.0.1:1",
    ]);
    tls.code(2).stderr_has("--redis-url");
    assert!(!tls.stderr.contains("hunter2"), "{}", tls.stderr);
    // From the variable, too.
    let from_env = fake
        .cli()
        .env("OPENAI_INVITES_REDIS_URL", "rediss://:hunter2@127.0.0.1:1")
        .run_args(&["apply", roster, "--yes"]);
    from_env.code(2).stderr_has("--redis-url");
    assert!(fake.requests().is_empty());
}
