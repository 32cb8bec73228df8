//! The fake binary on loopback, its control API, and the command line run as a user runs it.
//!
//! Every run checks that the admin key appears in neither stdout nor stderr.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

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

/// The fake's binary, built once per test run (cargo answers at once when it is fresh).
/// Cargo does not build another package's binaries for this one's tests, so it is built here
/// into the same target directory.
pub fn fake_binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/<this test> -> target/<profile>
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .unwrap()
            .to_path_buf();
        let target_dir = profile_dir.parent().unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "openai-invites-fake",
                "--bin",
                "openai-invites-fake",
            ])
            .env("CARGO_TARGET_DIR", target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            build.arg("--release");
        }
        let status = build.status().unwrap();
        assert!(status.success(), "building openai-invites-fake failed");
        let binary = profile_dir.join(format!(
            "openai-invites-fake{}",
            std::env::consts::EXE_SUFFIX
        ));
        assert!(binary.is_file(), "no fake binary at {}", binary.display());
        binary
    })
}

/// A running `openai-invites-fake`, killed when dropped.
pub struct Fake {
    child: Child,
    /// `http://127.0.0.1:PORT/v1`
    pub base_url: String,
    authority: String,
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
        let mut child = Command::new(fake_binary())
            .args(["--port", "0", "--admin-key", KEY])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut fake = Self {
            child,
            base_url: String::new(),
            authority: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the fake printed no base URL");
        fake.base_url = line.trim().to_owned();
        fake.authority = fake
            .base_url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        fake
    }

    /// A control request; panics unless the fake answers 200.
    pub fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.authority).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "{method} /__fake/{path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.authority,
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "{method} {path}: {answer}"
        );
        assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
        serde_json::from_str(body).unwrap()
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

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
