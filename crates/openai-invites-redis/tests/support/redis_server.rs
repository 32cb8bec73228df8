//! A throwaway `redis-server` on a free loopback port: no persistence, its own temporary
//! directory, stopped (and the directory removed) when dropped.
//!
//! The binary is `redis-server` on PATH, or the one `REDIS_SERVER` names. Without it, the
//! tests that need it are skipped, saying so in one line, except under `CI=true`, where they
//! fail.
//!
//! Shared by the tests and the examples (`#[path]`); not every user calls every method.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant, SystemTime};

/// How long a fresh server may take to answer PING.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// The Redis an example uses: `REDIS_URL` when set, else a server of its own (kept running
/// while the returned value lives); `None`, after saying what to install, when there is
/// neither.
pub fn for_example() -> Option<(String, Option<RedisServer>)> {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return Some((url, None));
    }
    match RedisServer::try_start() {
        Ok(server) => Some((server.url(), Some(server))),
        Err(error) => {
            println!(
                "No Redis to use: set REDIS_URL, or put redis-server on PATH \
                 (apt-get install -y redis-server). ({error})"
            );
            None
        }
    }
}

/// What a server says of its EVALSHA calls (`calls=…,usec=…,usec_per_call=…`), from
/// `INFO commandstats`; `None` before the first.
pub fn evalsha_stats(connection: &mut redis::Connection) -> redis::RedisResult<Option<String>> {
    let info: String = redis::cmd("INFO").arg("commandstats").query(connection)?;
    Ok(info
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_evalsha:"))
        .map(str::to_owned))
}

/// A running `redis-server`, owned by this process.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts one, or says why not; the tests use [`RedisServer::start`].
    pub fn try_start() -> io::Result<Self> {
        let mut last = None;
        // A free port can be taken between asking and binding: try a few.
        for _ in 0..5 {
            let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
                .local_addr()?
                .port();
            let dir = std::env::temp_dir().join(format!(
                "openai-invites-redis-{}-{port}-{}",
                std::process::id(),
                SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos()
            ));
            std::fs::create_dir_all(&dir)?;
            let mut server = Self {
                child: None,
                port,
                dir,
            };
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    /// Starts one for a test, or `None` when the binary is missing: the test then returns
    /// at once, and the first to do so in this process says in one line that they are
    /// skipped and how to run them. Under `CI=true` a missing binary fails the test.
    pub fn start() -> Option<Self> {
        match Self::try_start() {
            Ok(server) => Some(server),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let how = format!(
                    "they need `{}` (apt-get install -y redis-server, or set REDIS_SERVER to \
                     its path)",
                    binary().to_string_lossy()
                );
                if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                    panic!("CI=true and no redis-server: {how}: {error}");
                }
                static SAID: Once = Once::new();
                // Straight to the terminal (the test harness keeps `eprintln!` of a passing
                // test to itself), on a line of its own.
                SAID.call_once(|| {
                    let _ = writeln!(
                        io::stderr(),
                        "\nopenai-invites-redis: skipping the tests that need Redis: {how}"
                    );
                });
                None
            }
            Err(error) => panic!("could not start redis-server: {error}"),
        }
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on (the same after a restart).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A plain connection, for the tests' own commands.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|client| client.get_connection_with_timeout(Duration::from_secs(5)))
            .unwrap_or_else(|error| panic!("cannot connect to the test redis-server: {error}"))
    }

    /// How many times the server ran EVALSHA (0 before the first).
    pub fn evalsha_calls(&self) -> u64 {
        let stats = evalsha_stats(&mut self.connection())
            .unwrap_or_else(|error| panic!("INFO commandstats: {error}"));
        let Some(stats) = stats else {
            return 0;
        };
        stats
            .strip_prefix("calls=")
            .and_then(|rest| rest.split(',').next()?.parse().ok())
            .unwrap_or_else(|| panic!("unreadable EVALSHA stats: {stats}"))
    }

    /// The TAT of the shared limit named `name`, in µs of Redis `TIME`.
    pub fn tat(&self, name: &str) -> u64 {
        redis::cmd("GET")
            .arg(format!("{{openai-invites:{name}}}:tat"))
            .query(&mut self.connection())
            .unwrap_or_else(|error| panic!("no TAT for {name}: {error}"))
    }

    /// Kills it at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty (nothing was persisted).
    pub fn restart(&mut self) {
        self.kill();
        if let Err(error) = self.spawn() {
            panic!(
                "could not restart redis-server on port {}: {error}",
                self.port
            );
        }
    }

    /// Freezes it (SIGSTOP): connections stay open, nothing is answered.
    pub fn freeze(&self) {
        assert!(self.signal("-STOP"), "could not freeze redis-server");
    }

    /// Lets a frozen server go on (SIGCONT).
    pub fn thaw(&self) {
        assert!(self.signal("-CONT"), "could not thaw redis-server");
    }

    /// Sends `signal` with kill(1); whether it was delivered.
    fn signal(&self, signal: &str) -> bool {
        let Some(child) = &self.child else {
            return false;
        };
        Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn spawn(&mut self) -> io::Result<()> {
        let mut child = Command::new(binary())
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = child.try_wait()? {
                return Err(io::Error::other(format!(
                    "redis-server exited at start ({status}); port {} taken?",
                    self.port
                )));
            }
            if ping(self.port) {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io::Error::other("redis-server did not answer PING in time"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `REDIS_SERVER` when set, else `redis-server` (looked up on PATH).
fn binary() -> OsString {
    std::env::var_os("REDIS_SERVER").unwrap_or_else(|| "redis-server".into())
}

/// Does a server on `port` answer PING?
fn ping(port: u16) -> bool {
    let answer = || -> io::Result<bool> {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
        stream.set_read_timeout(Some(Duration::from_millis(500)))?;
        stream.write_all(b"PING\r\n")?;
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply)?;
        Ok(&reply == b"+PONG\r\n")
    };
    answer().unwrap_or(false)
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // SIGKILL ends a frozen server too.
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
