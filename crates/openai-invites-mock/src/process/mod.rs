//! `FakeProcess`: the `openai-invites-fake` binary as a child process of a test, for tests that
//! drive another program (a command line, a service in another language) against a real
//! socket and a real process. Tests of Rust code in this process are simpler with
//! [`FakeInvites`](crate::FakeInvites) or [`FakeServer`](crate::FakeServer).
//!
//! ```no_run
//! use openai_invites_mock::FakeProcess;
//! use serde_json::json;
//!
//! let fake = FakeProcess::start(&["--admin-key", "sk-admin-test"])?; // finds the binary first
//! println!("point the program at {}", fake.base_url()); // http://127.0.0.1:PORT/v1
//! fake.control("POST", "invites", Some(&json!({"invites": [{"email": "ana@example.com"}]})))?;
//! fake.control("POST", "faults", Some(&json!({"status": 503, "operation": "listInvites"})))?;
//! // ... run the program ...
//! let log = fake.control("GET", "requests", None)?;
//! assert_eq!(log["data"][0]["operation"], "listInvites");
//! # Ok::<(), openai_invites_mock::FakeProcessError>(())
//! ```
//!
//! The binary is the package `openai-invites-fake`: `cargo install openai-invites-fake` puts it
//! on `PATH`, where [`FakeProcess::binary`] finds it (see there for the other places it looks).

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use crate::control::CONTROL_PREFIX;

mod binary;

/// The binary's name (without the platform's suffix).
pub const FAKE_BINARY: &str = "openai-invites-fake";
/// Where [`FakeProcess::binary`] looks first: a path to a binary built beforehand.
pub const FAKE_BINARY_ENV: &str = "OPENAI_INVITES_FAKE";
/// How long a start waits for the base URL, and a control call for its answer.
const PATIENCE: Duration = Duration::from_secs(60);
/// How much of the fake's stderr is kept for an error (the rest is read and dropped).
const STDERR_KEPT: usize = 8 * 1024;

/// A running `openai-invites-fake` on `127.0.0.1` and a free port; killed when dropped (also
/// when a test panics).
#[derive(Debug)]
pub struct FakeProcess {
    child: Child,
    base_url: String,
    authority: String,
}

/// Why the fake could not be started or a control call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeProcessError {
    /// The binary could not be found, built or started, or a socket failed.
    #[error("openai-invites-fake: {0}")]
    Io(#[from] io::Error),
    /// Building the binary with cargo failed.
    #[error("could not build openai-invites-fake: `{command}` failed ({status})")]
    Build {
        /// The command that was run.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
    /// The binary is neither named by `OPENAI_INVITES_FAKE`, nor buildable from sources beside
    /// this crate, nor on `PATH`.
    #[error(
        "openai-invites-fake is not on PATH: install it with `cargo install openai-invites-fake`, \
         or set {FAKE_BINARY_ENV} to its path"
    )]
    NotFound,
    /// The process did not print a base URL first (it exited, or took too long).
    #[error(
        "openai-invites-fake printed {printed:?} instead of its base URL; its stderr: {}",
        if stderr.trim().is_empty() { "(empty)" } else { stderr.trim() }
    )]
    NoBaseUrl {
        /// Its first line on stdout (empty when it printed none).
        printed: String,
        /// What it wrote to stderr (its first few KiB), e.g. why it refused its arguments.
        stderr: String,
    },
    /// A control call was answered with another status than 200.
    #[error("the control API answered {status}: {body}")]
    Control {
        /// The status line's code.
        status: u16,
        /// The answer's body.
        body: String,
    },
    /// A control call's answer is not JSON.
    #[error("the control API's answer is not JSON: {0}")]
    Json(String),
}

impl FakeProcess {
    /// Starts the fake on a free port with `args` (e.g. `["--admin-key", KEY]`; `--help` of
    /// the binary lists them) and waits for its base URL. The binary is found or built by
    /// [`binary`](Self::binary).
    pub fn start(args: &[&str]) -> Result<Self, FakeProcessError> {
        Self::start_binary(Self::binary()?, args)
    }

    /// [`start`](Self::start) with a given binary, e.g. `env!("CARGO_BIN_EXE_openai-invites-fake")`
    /// in the tests of the package that builds it.
    pub fn start_binary(
        binary: impl AsRef<OsStr>,
        args: &[&str],
    ) -> Result<Self, FakeProcessError> {
        let mut command = Command::new(binary);
        command.args(args);
        Self::spawn(command)
    }

    /// Runs `command`, which starts the fake (directly, or through a wrapper such as
    /// `sh -c 'ulimit -n 64 && exec "$0" "$@"'`), with `--port 0` added to its arguments, and
    /// waits for the base URL it prints first. Its stdout and stderr are read (and drained)
    /// here; when it prints no base URL, the error carries what it wrote to stderr.
    pub fn spawn(mut command: Command) -> Result<Self, FakeProcessError> {
        let child = command
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        // Owned from here, so that a failure below still kills the child.
        let mut running = Self {
            base_url: String::new(),
            authority: String::new(),
            child,
        };
        let (stdout, stderr) = match (running.child.stdout.take(), running.child.stderr.take()) {
            (Some(stdout), Some(stderr)) => (stdout, stderr),
            _ => return Err(io::Error::other("the child's output was not piped").into()),
        };
        let stderr = Stderr::read(stderr);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep reading, so that the fake never blocks on (or dies of) a full pipe.
            let _ = io::copy(&mut reader, &mut io::sink());
        });
        let line = rx.recv_timeout(PATIENCE).unwrap_or_default();
        let base_url = line.trim();
        let Some(authority) = base_url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix(crate::routes::BASE_PATH))
        else {
            // Stopped, so that its stderr ends and can be read whole.
            let _ = running.child.kill();
            let _ = running.child.wait();
            return Err(FakeProcessError::NoBaseUrl {
                printed: line.clone(),
                stderr: stderr.text(),
            });
        };
        running.authority = authority.to_owned();
        running.base_url = base_url.to_owned();
        Ok(running)
    }

    /// The binary to run, from the first place that has it:
    ///
    /// 1. the path in `OPENAI_INVITES_FAKE`, if it is set;
    /// 2. when this crate is built from the repository's sources (the fake's package beside
    ///    it, as in this workspace or a git dependency), the calling program's cargo target
    ///    directory (`target/<profile>/openai-invites-fake`), built (or brought up to date)
    ///    once per process with `cargo build -p openai-invites-fake`, in the same profile:
    ///    cargo builds another package's binary for no test, so this is how a test of another
    ///    package gets it;
    /// 3. `openai-invites-fake` on `PATH` (`cargo install openai-invites-fake` puts it there),
    ///    for a user of the published crate; else [`FakeProcessError::NotFound`].
    pub fn binary() -> Result<PathBuf, FakeProcessError> {
        binary::find()
    }

    /// `http://127.0.0.1:PORT/v1`: the base URL a client of the fake's API uses.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `127.0.0.1:PORT`, for a raw connection.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The process id, e.g. to read `/proc/<id>/status`.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// A call to the [control API](crate::control): `method` and a `path` under `/__fake/`
    /// (`invites`, `faults`, `requests`, `reset`...), with an optional JSON body; the JSON of
    /// a 200 answer. Blocking (the fake is another process: a test on a tokio runtime may
    /// call it too).
    pub fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, FakeProcessError> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.authority)?;
        stream.set_read_timeout(Some(PATIENCE))?;
        write!(
            stream,
            "{method} {CONTROL_PREFIX}/{path} HTTP/1.1\r\nhost: {}\r\n\
             content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.authority,
            body.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        if status != 200 {
            return Err(FakeProcessError::Control {
                status,
                body: body.to_owned(),
            });
        }
        serde_json::from_str(body).map_err(|e| FakeProcessError::Json(format!("{e}: {body}")))
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The fake's stderr, read on a thread of its own: the first [`STDERR_KEPT`] bytes are kept.
struct Stderr {
    kept: Arc<Mutex<Vec<u8>>>,
    reader: JoinHandle<()>,
}

impl Stderr {
    fn read(mut stderr: impl Read + Send + 'static) -> Self {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let into = kept.clone();
        let reader = std::thread::spawn(move || {
            let mut chunk = [0; 1024];
            while let Ok(n @ 1..) = stderr.read(&mut chunk) {
                let mut kept = into.lock().unwrap_or_else(PoisonError::into_inner);
                let room = STDERR_KEPT.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..n.min(room)]);
            }
        });
        Self { kept, reader }
    }

    /// What was kept, once the process has ended (its stderr closed).
    fn text(self) -> String {
        let _ = self.reader.join();
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&kept).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A start that fails says why, in the fake's own words.
    #[cfg(unix)]
    #[test]
    fn a_fake_that_will_not_start_reports_its_stderr() {
        let mut refused = Command::new("sh");
        refused.args([
            "-c",
            "echo 'error: unexpected argument --bogus' >&2; exit 2",
        ]);
        let error = FakeProcess::spawn(refused).unwrap_err();
        let FakeProcessError::NoBaseUrl { printed, stderr } = &error else {
            panic!("{error}")
        };
        assert_eq!(printed, "");
        assert_eq!(stderr.trim(), "error: unexpected argument --bogus");
        assert!(error.to_string().contains("--bogus"), "{error}");
    }
}
