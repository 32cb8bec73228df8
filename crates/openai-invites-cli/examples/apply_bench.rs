//! Benchmark (not a test): `openai-invites apply` against the `openai-invites-fake` binary,
//! both run as separate processes.
//!
//! - **quota** (issue 22, item 7): a 1,000-row roster against `--quota 50/1s`, in four runs:
//!   `--rate 50/s`, `--rate auto`, `--rate 50/s` with 5 % of the creates failing ambiguously,
//!   and `--rate 50/s --journal`. For each: the time, the share of the quota used, the 429s,
//!   the requests by kind, and whether every roster email ended with exactly one pending
//!   invite.
//! - **journal**: what `--journal` costs when the rate does not hide it: 400 rows against a
//!   fake with no quota, `--rate 2000/s --concurrency 16`, without and with `--journal`.
//!
//! ```sh
//! cargo build --release -p openai-invites-cli -p openai-invites-fake --examples --bins
//! target/release/examples/apply_bench            # BENCH=quota|journal (both by default)
//! ```
//!
//! `ROWS` (1000) and `QUOTA` (50) set the first; `JOURNAL_ROWS` (400) the second. The
//! binaries are taken from beside this example (`target/release`), or from
//! `OPENAI_INVITES_CLI` / `OPENAI_INVITES_FAKE`. Figures: BENCHMARKS.md, section 9.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use openai_invites_mock::FakeProcess;
use serde_json::{Value, json};

const KEY: &str = "sk-admin-bench-0123456789";

type Failed = Box<dyn std::error::Error>;

/// One `apply` to measure.
struct Setup<'a> {
    name: &'a str,
    rows: usize,
    /// The fake's quota per second, if any.
    quota: Option<u64>,
    args: Vec<String>,
    /// Push an ambiguous create fault every 20 creates' worth of time.
    faults: bool,
    journal: bool,
}

fn main() -> Result<(), Failed> {
    let bench = std::env::var("BENCH").unwrap_or_default();
    if bench.is_empty() || bench == "quota" {
        let rows: usize = setting("ROWS", 1000);
        let quota: u64 = setting("QUOTA", 50);
        println!("apply of {rows} rows against the fake with --quota {quota}/1s\n");
        let rate = format!("{quota}/s");
        let setup = |name, rate: &str, faults, journal| Setup {
            name,
            rows,
            quota: Some(quota),
            args: vec!["--rate".into(), rate.into()],
            faults,
            journal,
        };
        table(&[
            setup("--rate 50/s", &rate, false, false),
            setup("--rate auto", "auto", false, false),
            setup("--rate 50/s, 5 % ambiguous", &rate, true, false),
            setup("--rate 50/s --journal", &rate, false, true),
        ])?;
    }
    if bench.is_empty() || bench == "journal" {
        let rows: usize = setting("JOURNAL_ROWS", 400);
        println!("\napply of {rows} rows, --rate 2000/s --concurrency 16, a fake with no quota\n");
        let setup = |name, journal| Setup {
            name,
            rows,
            quota: None,
            args: ["--rate", "2000/s", "--concurrency", "16"]
                .map(String::from)
                .to_vec(),
            faults: false,
            journal,
        };
        table(&[setup("no journal", false), setup("--journal", true)])?;
    }
    Ok(())
}

fn table(setups: &[Setup<'_>]) -> Result<(), Failed> {
    println!(
        "| run | time | quota used | 429s | requests (create / list / delete) | \
         ambiguous | one pending invite per email |"
    );
    println!("|---|---|---|---|---|---|---|");
    for setup in setups {
        let run = run(setup)?;
        let used = match setup.quota {
            Some(_) => format!("{:.1} %", run.used * 100.0),
            None => "-".to_owned(),
        };
        println!(
            "| {} | {:.2} s | {used} | {} | {} ({} / {} / {}) | {} | {} |",
            setup.name,
            run.took.as_secs_f64(),
            run.refused,
            run.requests,
            run.creates,
            run.lists,
            run.deletes,
            run.ambiguous,
            if run.exactly_one { "yes" } else { "NO" },
        );
    }
    Ok(())
}

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one run did.
struct Run {
    took: Duration,
    /// Requests the service answered (429s aside) over what its quota allowed in the time
    /// from the first request to the last.
    used: f64,
    refused: usize,
    requests: usize,
    creates: usize,
    lists: usize,
    deletes: usize,
    ambiguous: usize,
    exactly_one: bool,
}

fn run(setup: &Setup<'_>) -> Result<Run, Failed> {
    let mut args = vec!["--admin-key".to_owned(), KEY.to_owned()];
    if let Some(quota) = setup.quota {
        args.extend(["--quota".to_owned(), format!("{quota}/1s")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let fake =
        FakeProcess::start_binary(binary("OPENAI_INVITES_FAKE", "openai-invites-fake")?, &args)?;
    let dir = tempfile::tempdir()?;
    let roster = dir.path().join("cohort.csv");
    let mut csv = String::from("email,role,projects\n");
    for n in 0..setup.rows {
        csv.push_str(&format!("user-{n}@example.com,reader,\n"));
    }
    std::fs::write(&roster, csv)?;

    let started = Instant::now();
    let mut apply = Command::new(binary("OPENAI_INVITES_CLI", "openai-invites")?);
    apply
        .env_clear()
        .env("OPENAI_BASE_URL", fake.base_url())
        .env("OPENAI_ADMIN_KEY", KEY)
        .args(["apply", "--yes"])
        .args(&setup.args)
        .arg(&roster)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if setup.journal {
        apply
            .arg("--journal")
            .arg(dir.path().join("cohort.journal"));
    }
    let mut apply = apply.spawn()?;
    // 5 %: one ambiguous create in twenty, spread over the run (every other one made by the
    // service before the connection drops, the others not made).
    let mut pushed = 0;
    let per_second = setup.quota.unwrap_or(50) as f64;
    while setup.faults && apply.try_wait()?.is_none() && pushed < setup.rows / 20 {
        std::thread::sleep(Duration::from_secs_f64(20.0 / per_second));
        let made = pushed % 2 == 0;
        let fault =
            json!({"kind": "drop_connection", "apply_first": made, "operation": "inviteUser"});
        fake.control("POST", "faults", Some(&fault))?;
        pushed += 1;
    }
    let output = apply.wait_with_output()?;
    let took = started.elapsed();
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }
    measure(&fake, setup, took)
}

/// Reads the fake's request log and invites after a run.
fn measure(fake: &FakeProcess, setup: &Setup<'_>, took: Duration) -> Result<Run, Failed> {
    let log = fake.control("GET", "requests", None)?;
    let entries = log["data"].as_array().cloned().unwrap_or_default();
    let count = |operation: &str| {
        entries
            .iter()
            .filter(|r| r["operation"] == operation)
            .count()
    };
    let refused = entries.iter().filter(|r| r["status"] == 429).count();
    let ambiguous = entries.iter().filter(|r| !r["fault"].is_null()).count();
    let at = |r: &Value| r["at_ms"].as_f64().unwrap_or(0.0) / 1000.0;
    let span = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => at(last) - at(first),
        _ => 0.0,
    };
    // What the quota allowed from the first request to the last: one request at the start,
    // then `quota` a second.
    let allowed = setup.quota.unwrap_or(0) as f64 * span + 1.0;
    let invites = fake.control("GET", "invites", None)?;
    let mut pending: Vec<&str> = invites["data"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|i| i["status"] == "pending")
                .filter_map(|i| i["email"].as_str())
                .collect()
        })
        .unwrap_or_default();
    pending.sort_unstable();
    let mut expected: Vec<String> = (0..setup.rows)
        .map(|n| format!("user-{n}@example.com"))
        .collect();
    expected.sort_unstable();
    Ok(Run {
        took,
        used: (entries.len() - refused) as f64 / allowed,
        refused,
        requests: entries.len(),
        creates: count("inviteUser"),
        lists: count("listInvites"),
        deletes: count("deleteInvite"),
        ambiguous,
        exactly_one: pending == expected,
    })
}

/// A binary: from `variable`, else beside this example (`target/<profile>/`).
fn binary(variable: &str, name: &str) -> Result<PathBuf, Failed> {
    if let Ok(path) = std::env::var(variable) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("no target directory")?;
    let path = profile.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        return Err(format!(
            "{} is missing: build it first (see the docs)",
            path.display()
        )
        .into());
    }
    Ok(path)
}
