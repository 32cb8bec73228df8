//! `FakeProcess`: the `openai-invites-fake` binary as a child process of a test, for tests that
//! drive another program (a command line, a service in another language) against a real
//! socket and a real process. Tests of Rust code in this process are simpler with
//! [`FakeInvites`](crate::FakeInvites) or [`FakeServer`](crate::FakeServer).
//!
//! ```no_run
//! use openai_invites_mock::FakeProcess;
//! use serde_json::json;
//!
//! let fake = FakeProcess::start(&["--admin-key", "sk-admin-test"])?; // builds it if need be
//! println!("point the program at {}", fake.base_url()); // http://127.0.0.1:PORT/v1
//! fake.control("POST", "invites", Some(&json!({"invites": [{"email": "ana@example.com"}]})))?;
//! fake.control("POST", "faults", Some(&json!({"status": 503, "operation": "listInvites"})))?;
//! // ... run the program ...
//! let log = fake.control("GET", "requests", None)?;
//! assert_eq!(log["data"][0]["operation"], "listInvites");
//! # Ok::<(), openai_invites_mock::FakeProcessError>(())
//! ```

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

use serde_json::Value;

use crate::control::CONTROL_PREFIX;

/// The binary's name (without the platform's suffix).
pub const FAKE_BINARY: &str = "openai-invites-fake";
/// The package whose binary it is, for `cargo build -p`.
const FAKE_PACKAGE: &str = "openai-invites-fake";
/// Where [`FakeProcess::binary`] looks first: a path to a binary built beforehand.
pub const FAKE_BINARY_ENV: &str = "OPENAI_INVITES_FAKE";
/// How long a start waits for the base URL, and a control call for its answer.
const PATIENCE: Duration = Duration::from_secs(60);

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
    /// The process did not print a base URL first.
    #[error("openai-invites-fake printed {0:?} instead of its base URL")]
    NoBaseUrl(String),
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
    /// waits for the base URL it prints first. Its stdout is read (and drained) here; its
    /// stderr is discarded.
    pub fn spawn(mut command: Command) -> Result<Self, FakeProcessError> {
        let child = command
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        // Owned from here, so that a failure below still kills the child.
        let mut running = Self {
            base_url: String::new(),
            authority: String::new(),
            child,
        };
        let stdout = running.child.stdout.take().ok_or_else(|| {
            FakeProcessError::Io(io::Error::other("the child's stdout was not piped"))
        })?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep reading, so that the fake never blocks on (or dies of) a full pipe.
            let _ = io::copy(&mut reader, &mut io::sink());
        });
        let line = rx
            .recv_timeout(PATIENCE)
            .map_err(|_| FakeProcessError::NoBaseUrl(String::new()))?;
        let base_url = line.trim();
        let authority = base_url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .ok_or_else(|| FakeProcessError::NoBaseUrl(line.clone()))?;
        running.authority = authority.to_owned();
        running.base_url = base_url.to_owned();
        Ok(running)
    }

    /// The binary to run: the path in `OPENAI_INVITES_FAKE` if it is set; else the one in the
    /// calling program's cargo target directory (`target/<profile>/openai-invites-fake`),
    /// built (or brought up to date) once per process with `cargo build -p
    /// openai-invites-mock --bin openai-invites-fake`, in the same profile. Cargo builds
    /// another package's binary for no test, so this is how a test of another package gets it.
    pub fn binary() -> Result<PathBuf, FakeProcessError> {
        static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        if let Some(path) = std::env::var_os(FAKE_BINARY_ENV) {
            return Ok(PathBuf::from(path));
        }
        BUILT
            .get_or_init(|| build().map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| FakeProcessError::Io(io::Error::other(e)))
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

/// Builds the binary into the calling program's target directory and returns its path.
fn build() -> Result<PathBuf, FakeProcessError> {
    let exe = std::env::current_exe()?;
    let profile_dir = profile_dir(&exe).ok_or_else(|| {
        io::Error::other(format!(
            "{} is not in a cargo target directory: set {FAKE_BINARY_ENV}",
            exe.display()
        ))
    })?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "-p", FAKE_PACKAGE, "--bin", FAKE_BINARY])
        // This crate's own folder: inside the workspace that builds it.
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if let Some(target_dir) = profile_dir.parent() {
        build.env("CARGO_TARGET_DIR", target_dir);
    }
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    let status = build.status()?;
    if !status.success() {
        return Err(FakeProcessError::Build {
            command: format!("cargo build -p {FAKE_PACKAGE} --bin {FAKE_BINARY}"),
            status,
        });
    }
    Ok(profile_dir.join(format!("{FAKE_BINARY}{}", std::env::consts::EXE_SUFFIX)))
}

/// `target/<profile>` for a test (`deps/`), an example (`examples/`) or a binary.
fn profile_dir(exe: &Path) -> Option<PathBuf> {
    let dir = exe.parent()?;
    let nested = dir
        .file_name()
        .is_some_and(|name| name == "deps" || name == "examples");
    let profile = if nested { dir.parent()? } else { dir };
    Some(profile.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_dir_of_tests_examples_and_binaries() {
        for exe in [
            "/w/target/debug/deps/cli-0123abcd",
            "/w/target/debug/examples/quickstart",
            "/w/target/debug/openai-invites",
        ] {
            assert_eq!(
                profile_dir(Path::new(exe)),
                Some(PathBuf::from("/w/target/debug"))
            );
        }
    }
}
