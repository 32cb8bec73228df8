//! Benchmark (not a test): `openai-invites apply` of a 1,000-row roster against the
//! `openai-invites-fake` binary with `--quota 50/1s`, in three runs: `--rate 50/s`,
//! `--rate auto`, and `--rate 50/s` with 5 % of the creates failing ambiguously. For each:
//! the time, the share of the quota used, the 429s, the requests by kind, and whether every
//! roster email ended with exactly one pending invite.
//!
//! ```sh
//! cargo build --release -p openai-invites-cli -p openai-invites-fake --examples --bins
//! target/release/examples/apply_bench            # ROWS=1000 QUOTA=50 by default
//! ```
//!
//! The binaries are taken from beside this example (`target/release`), or from
//! `OPENAI_INVITES_CLI` / `OPENAI_INVITES_FAKE`. Figures: BENCHMARKS.md, section 9.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const KEY: &str = "sk-admin-bench-0123456789";

type Failed = Box<dyn std::error::Error>;

fn main() -> Result<(), Failed> {
    let rows: usize = setting("ROWS", 1000);
    let quota: u64 = setting("QUOTA", 50);
    println!("apply of {rows} rows against the fake with --quota {quota}/1s\n");
    println!(
        "| run | time | quota used | 429s | requests (create / list / delete) | \
         ambiguous | one pending invite per email |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, rate, faults) in [
        ("--rate 50/s", format!("{quota}/s"), false),
        ("--rate auto", "auto".to_owned(), false),
        ("--rate 50/s, 5 % ambiguous", format!("{quota}/s"), true),
    ] {
        let run = run(rows, quota, &rate, faults)?;
        println!(
            "| {name} | {:.2} s | {:.1} % | {} | {} ({} / {} / {}) | {} | {} |",
            run.took.as_secs_f64(),
            run.used * 100.0,
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

fn run(rows: usize, quota: u64, rate: &str, faults: bool) -> Result<Run, Failed> {
    let fake = Fake::start(quota)?;
    let dir = std::env::temp_dir().join(format!("apply-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let roster = dir.join("cohort.csv");
    let mut csv = String::from("email,role,projects\n");
    for n in 0..rows {
        csv.push_str(&format!("user-{n}@example.com,reader,\n"));
    }
    std::fs::write(&roster, csv)?;

    let started = Instant::now();
    let mut apply = Command::new(binary("OPENAI_INVITES_CLI", "openai-invites")?)
        .env_clear()
        .env("OPENAI_BASE_URL", &fake.base_url)
        .env("OPENAI_ADMIN_KEY", KEY)
        .args(["apply", "--yes", "--rate", rate])
        .arg(&roster)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    // 5 %: one ambiguous create in twenty, spread over the run (every other one made by the
    // service before the connection drops, the others not made).
    let mut pushed = 0;
    while faults && apply.try_wait()?.is_none() && pushed < rows / 20 {
        std::thread::sleep(Duration::from_secs_f64(20.0 / quota as f64));
        let made = pushed % 2 == 0;
        fake.control(
            "POST",
            "faults",
            Some(
                json!({"kind": "drop_connection", "apply_first": made, "operation": "inviteUser"}),
            ),
        )?;
        pushed += 1;
    }
    let output = apply.wait_with_output()?;
    let took = started.elapsed();
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }

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
    let allowed = quota as f64 * span + 1.0;
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
    let mut expected: Vec<String> = (0..rows).map(|n| format!("user-{n}@example.com")).collect();
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
        .and_then(|examples| examples.parent())
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

/// The fake binary, killed when dropped.
struct Fake {
    child: Child,
    base_url: String,
    authority: String,
}

impl Fake {
    fn start(quota: u64) -> Result<Self, Failed> {
        let mut child = Command::new(binary("OPENAI_INVITES_FAKE", "openai-invites-fake")?)
            .args(["--port", "0", "--admin-key", KEY, "--quota"])
            .arg(format!("{quota}/1s"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        BufReader::new(stdout).read_line(&mut line)?;
        let base_url = line.trim().to_owned();
        let authority = base_url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .ok_or_else(|| format!("unexpected first line {line:?}"))?
            .to_owned();
        Ok(Self {
            child,
            base_url,
            authority,
        })
    }

    /// A control request (HTTP/1.1, one connection each).
    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, Failed> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.authority)?;
        write!(
            stream,
            "{method} /__fake/{path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.authority,
            body.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        let (_, body) = answer.split_once("\r\n\r\n").ok_or("no body")?;
        Ok(serde_json::from_str(body)?)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
