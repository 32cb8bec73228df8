//! `apply --journal` killed with SIGKILL at random moments, again and again, and resumed
//! each time with the same journal: in the end exactly one pending invite per roster email,
//! none for anyone else, and the journal shows each row's change made once.
//!
//! Each kill comes at a random moment after the new run wrote its first journal record (so
//! that no kill lands in the wait before the run's first read, where it would test nothing),
//! and counts only if the journal grew since the last one. The fake answers every create
//! 200 ms after making it, so kills leave rows under way (an intent, no outcome) whose invite
//! exists: at least one must be settled by the next run reading the invites.
//!
//! In CI: 300 rows and 10 kills against a fake slowed by its quota (under a minute). More:
//! `ROSTER_KILL_ROWS=2000 ROSTER_KILLS=40`; `ROSTER_KILL_SEED` replays a run's moments.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::roster::{pending, received, write};
use crate::support::{BIN, Fake, KEY, NOW};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn killed_again_and_again_and_resumed_with_its_journal() {
    let rows = setting("ROSTER_KILL_ROWS", 300) as usize;
    let kills = setting("ROSTER_KILLS", 10);
    let seed = setting("ROSTER_KILL_SEED", fastrand::u64(..));
    eprintln!("ROSTER_KILL_ROWS={rows} ROSTER_KILLS={kills} ROSTER_KILL_SEED={seed}");
    let mut random = fastrand::Rng::with_seed(seed);

    let fake = Fake::empty();
    // Some people are already invited or were long ago, some are off the roster.
    fake.seed(json!([
        {"email": "user-0@example.com"},
        {"email": "user-1@example.com", "status": "expired"},
        {"email": "stranger@example.org"},
    ]));
    // A service that allows 100 requests a second, and a client that keeps to it.
    fake.control("PUT", "quota", Some(json!({"requests": 100, "per": "1s"})));
    // Every create is made at once and answered 200 ms later, so a kill almost always finds
    // creates the service made and the journal has not seen end: rows the next run must settle
    // by reading, not send again.
    fake.fault(json!({"delay_ms": 200, "apply_first": true, "operation": "inviteUser", "times": 1_000_000}));
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("email,role,projects\n");
    for n in 0..rows {
        csv.push_str(&format!("user-{n}@example.com,reader,\n"));
    }
    let roster = write(&dir, "cohort.csv", &csv);
    let journal = dir.path().join("cohort.journal.jsonl");
    let apply = || {
        let mut command = Command::new(BIN);
        command
            .env_clear()
            .env("OPENAI_INVITES_NOW", NOW.to_string())
            .env("OPENAI_BASE_URL", &fake.base_url)
            .env("OPENAI_ADMIN_KEY", KEY)
            .args([
                "apply",
                "--yes",
                "--prune",
                "--max-revoke",
                "1",
                "--rate",
                "100/s",
            ])
            .arg("--journal")
            .arg(&journal)
            .arg(&roster)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };

    let started = Instant::now();
    let mut counted = 0;
    let mut attempts = 0;
    let mut grown_to = 0;
    // Per counted kill: how many records the journal held, and the rows it left under way.
    let mut left: Vec<(usize, Vec<String>)> = Vec::new();
    while counted < kills {
        attempts += 1;
        assert!(
            attempts <= kills * 3,
            "only {counted} of {attempts} kills counted"
        );
        let mut child = apply().spawn().unwrap();
        // The run's first record (after its wait and its read), then a random moment.
        while journal_len(&journal) <= grown_to {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("apply ended ({status}) before kill {}", counted + 1);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(random.u64(0..300)));
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "apply ended ({status}) before kill {}: fewer rows or kills",
                counted + 1
            );
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let records = journal_records(&journal);
        let len = journal_len(&journal);
        if len > grown_to {
            counted += 1;
            let under_way = under_way(&records);
            eprintln!(
                "kill {counted}: {} pending, {} rows under way",
                pending(&fake).len(),
                under_way.len()
            );
            left.push((records.len(), under_way));
        }
        grown_to = len;
    }
    let last = apply().output().unwrap();
    assert_eq!(last.status.code(), Some(0), "the run after {kills} kills");
    eprintln!("{kills} kills and a last run in {:?}", started.elapsed());

    // Every row a kill left under way was taken up by a later run after reading the
    // invites: settled (found made) or sent again (found not made); at least one settled.
    let records = journal_records(&journal);
    let mut settled = 0;
    for (at, emails) in &left {
        for email in emails {
            let next = records[*at..]
                .iter()
                .find(|r| r["email"] == email.as_str())
                .unwrap_or_else(|| panic!("{email}: left under way, never taken up"));
            match next["record"].as_str() {
                Some("row") if next["message"] == "settled by reading the invites" => settled += 1,
                Some("intent") => {}
                _ => panic!("{email}: taken up by {next}"),
            }
        }
    }
    eprintln!("{settled} rows left under way by a kill were settled by reading");
    assert!(
        settled > 0,
        "no kill left a row that a later run settled by reading: {left:?}"
    );
    assert!(under_way(&records).is_empty());

    // Exactly one pending invite per roster email, none for anyone else.
    let expected: Vec<String> = {
        let mut all: Vec<String> = (0..rows).map(|n| format!("user-{n}@example.com")).collect();
        all.sort();
        all
    };
    assert_eq!(pending(&fake), expected);
    // No create was ever sent twice: every create that reached the service made its invite
    // (the fault lets the store see it first), answered or cut off by a kill, so each email
    // appears in at most one create the service received (user-0 already had an invite).
    let mut made: HashMap<String, usize> = HashMap::new();
    let log = fake.control("GET", "requests", None);
    for request in log["data"].as_array().unwrap() {
        // (A 429 of the fake's quota made nothing: its retry is not a second create.)
        if request["operation"] == "inviteUser" && request["status"] != 429 {
            *made
                .entry(request["json"]["email"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    assert!(made.values().all(|n| *n == 1), "{made:?}");
    assert_eq!(made.len(), rows - 1);
    assert!(received(&fake).len() >= rows, "the log kept every request");
    // The journal: each row's change made once (created or reissued), the stranger revoked
    // once.
    let mut done: HashMap<String, Vec<String>> = HashMap::new();
    for record in &records {
        if record["record"] == "row" && record["action"] != "keep" {
            let outcome = record["outcome"].as_str().unwrap().to_owned();
            done.entry(record["email"].as_str().unwrap().to_owned())
                .or_default()
                .push(outcome);
        }
    }
    for n in 1..rows {
        let email = format!("user-{n}@example.com");
        let want = if n == 1 { "reissued" } else { "created" };
        assert_eq!(
            done.get(&email).map(Vec::as_slice),
            Some(&[want.to_owned()][..]),
            "{email}"
        );
    }
    assert_eq!(done["stranger@example.org"], ["revoked"]);
}

fn journal_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The journal's whole records (a torn last line left out).
fn journal_records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The emails whose last record is a request's (an intent, or what it did) and not their
/// row's outcome: rows under way when the run was killed.
fn under_way(records: &[Value]) -> Vec<String> {
    let mut last: HashMap<&str, &str> = HashMap::new();
    for record in records {
        if let (Some(email), Some(kind)) = (record["email"].as_str(), record["record"].as_str()) {
            last.insert(email, kind);
        }
    }
    let mut emails: Vec<String> = last
        .into_iter()
        .filter(|(_, kind)| *kind != "row")
        .map(|(email, _)| email.to_owned())
        .collect();
    emails.sort();
    emails
}
