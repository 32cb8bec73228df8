//! The fake binary on loopback, its control API, and the command line run as a user runs it.
//!
//! Every run checks that the admin key appears in neither stdout nor stderr.

use std::time::Duration;

use openai_invites_mock::FakeProcess;
use serde_json::{Value, json};

/// The admin key the fake expects; distinctive, so a leak is easy to find.
pub const KEY: &str = "sk-admin-CLITEST-9f8e7d6c5b4a3210";
/// "Now" for the command line (2096-10-02T07:06:40Z): after the real clock for decades, so
/// the fake (on the real clock) keeps the seeded pending invites pending.
pub const NOW: i64 = 4_000_000_000;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 24 * HOUR;

/// The command line under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_openai-invites");

/// A running `openai-invites-fake` (the test kit's launcher builds it once per run), killed
/// when dropped.
pub struct Fake {
    process: FakeProcess,
    /// `http://127.0.0.1:PORT/v1`
    pub base_url: String,
}

impl Fake {
    /// The fake with [`samples`] seeded.
    pub fn start() -> Self {
        let fake = Self::empty();
        fake.seed(samples());
        fake
    }

    /// The fake with no invite.
    pub fn empty() -> Self {
        let process = FakeProcess::start(&["--admin-key", KEY]).unwrap();
        Self {
            base_url: process.base_url().to_owned(),
            process,
        }
    }

    /// A control request; panics unless the fake answers 200.
    pub fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.process
            .control(method, path, body.as_ref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn seed(&self, invites: Value) {
        self.control("POST", "invites", Some(json!({ "invites": invites })));
    }

    /// Queues faults (the control API's JSON form).
    pub fn fault(&self, fault: Value) {
        self.control("POST", "faults", Some(fault));
    }

    /// Every invite the fake holds, newest first.
    pub fn invites(&self) -> Vec<Value> {
        self.control("GET", "invites", None)["data"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The API requests the fake received, as `METHOD operation` (oldest first).
    pub fn requests(&self) -> Vec<String> {
        let log = self.control("GET", "requests", None);
        log["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["operation"].as_str().unwrap_or("?")
                )
            })
            .collect()
    }

    /// The command line, pointed at this fake with the right key.
    pub fn cli(&self) -> Cli {
        let mut cli = Cli::new();
        cli.env("OPENAI_BASE_URL", &self.base_url)
            .env("OPENAI_ADMIN_KEY", KEY);
        cli
    }
}

/// Five invites, one or more of every status, at fixed times around [`NOW`].
pub fn samples() -> Value {
    json!([
        {"id": "invite-ana", "email": "ana@example.com", "role": "owner", "status": "pending",
         "created_at": NOW - 2 * HOUR, "expires_at": NOW - 2 * HOUR + 7 * DAY,
         "projects": [{"id": "proj_default", "role": "member"}]},
        {"id": "invite-bo", "email": "bo@example.com", "role": "reader", "status": "accepted",
         "created_at": NOW - 3 * DAY, "expires_at": NOW + 4 * DAY, "accepted_at": NOW - 3 * DAY + HOUR},
        {"id": "invite-cy", "email": "cy@example.com", "role": "reader", "status": "expired",
         "created_at": NOW - 9 * DAY, "expires_at": NOW - 2 * DAY},
        {"id": "invite-dee", "email": "dee@example.com", "role": "reader", "status": "pending",
         "created_at": NOW - 6 * DAY, "expires_at": NOW + DAY,
         "projects": [{"id": "proj_web", "role": "member"}, {"id": "proj_data", "role": "owner"}]},
        {"id": "invite-eli", "email": "eli@example.org", "role": "owner", "status": "pending",
         "created_at": NOW - 1800, "expires_at": NOW - 1800 + 7 * DAY, "projects": []},
    ])
}

/// The command line, with an empty environment but for what a test sets.
pub struct Cli {
    command: assert_cmd::Command,
}

/// What a run printed, and its exit code.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Cli {
    pub fn new() -> Self {
        let mut command = assert_cmd::Command::new(BIN);
        command
            .env_clear()
            .env("OPENAI_INVITES_NOW", NOW.to_string())
            .timeout(Duration::from_secs(60));
        Self { command }
    }

    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.command.env(name, value);
        self
    }

    pub fn env_remove(&mut self, name: &str) -> &mut Self {
        self.command.env_remove(name);
        self
    }

    pub fn stdin(&mut self, text: &str) -> &mut Self {
        self.command.write_stdin(text.to_owned());
        self
    }

    /// Runs it with the words of `line` as arguments (as a shell splits a line without
    /// quotes); panics if the key shows in stdout or stderr.
    pub fn run(&mut self, line: &str) -> Run {
        self.run_args(&line.split_whitespace().collect::<Vec<_>>())
    }

    /// Runs it with `args`; panics if the key shows in stdout or stderr.
    pub fn run_args(&mut self, args: &[&str]) -> Run {
        let output = self.command.args(args).output().unwrap();
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        assert_no_key(&run.stdout, &run.stderr, &args);
        run
    }
}

/// Neither stream shows the key, nor a telling part of it.
pub fn assert_no_key(stdout: &str, stderr: &str, context: &dyn std::fmt::Debug) {
    for text in [stdout, stderr] {
        assert!(
            !text.contains(KEY) && !text.contains("CLITEST-9f8e"),
            "the key leaked ({context:?}):\n{text}"
        );
    }
}

impl Run {
    /// Panics with both streams unless the exit code is `code`.
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless stderr contains `text`.
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "no {text:?} in stderr:\n{}",
            self.stderr
        );
        self
    }
}
