//! The `openai-invites-fake` binary as a child process, through the test kit's launcher.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use openai_invites_mock::FakeProcess;

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_openai-invites-fake");

/// Starts the binary on a free port with `args`.
pub fn start(args: &[&str]) -> FakeProcess {
    FakeProcess::start_binary(BIN, args).unwrap()
}

/// [`start`] under a limit of `files` open files (`ulimit -n`).
pub fn start_with_file_limit(files: u32, args: &[&str]) -> FakeProcess {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(args);
    FakeProcess::spawn(shell).unwrap()
}
