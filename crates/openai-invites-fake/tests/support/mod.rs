//! The `openai-invites-fake` binary as a child process, for the tests that run it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_openai-invites-fake");

/// A running fake binary, killed when dropped (also when a test panics).
pub struct Running {
    pub child: Child,
    /// `127.0.0.1:PORT`, from the base URL it printed.
    pub authority: String,
}

impl Running {
    /// Starts the binary on a free port with `args`, and waits (30 s at most) for the base URL
    /// it prints first.
    pub fn start(args: &[&str]) -> Self {
        Self::spawn(Command::new(BIN), args)
    }

    /// [`start`](Self::start) under a limit of `files` open files (`ulimit -n`).
    pub fn start_with_file_limit(files: u32, args: &[&str]) -> Self {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(BIN);
        Self::spawn(shell, args)
    }

    fn spawn(mut command: Command, args: &[&str]) -> Self {
        let mut child = command
            .args(["--port", "0"])
            .args(args)
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
        // Owned from here, so that a failed wait below still kills the child.
        let mut running = Self {
            child,
            authority: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the fake printed no base URL");
        let base = line.trim();
        running.authority = base
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .unwrap_or_else(|| panic!("unexpected first line {base:?}"))
            .to_owned();
        running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
