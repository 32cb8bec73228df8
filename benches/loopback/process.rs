//! The server in a process of its own (`SERVER=process`): this benchmark's binary started again
//! with `LOOPBACK_SERVER_CORE` set, pinned to that core, while the runners stay pinned to
//! another. A call's CPU is then the whole client process's (`getrusage`), with none of the
//! server's work in it, and the two never compete for a core.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use nix::sched::{CpuSet, sched_setaffinity};
use nix::unistd::Pid;

/// Set in the server process: the core it runs on.
const SERVER_CORE_VAR: &str = "LOOPBACK_SERVER_CORE";
/// The runners' core.
pub const CLIENT_CORE: usize = 0;
/// The server's core.
pub const SERVER_CORE: usize = 1;

/// Pins the calling thread, and the threads it starts from now on, to `core`.
pub fn pin(core: usize) {
    let mut set = CpuSet::new();
    set.set(core)
        .unwrap_or_else(|e| panic!("no core {core} to pin to: {e}"));
    sched_setaffinity(Pid::from_raw(0), &set)
        .unwrap_or_else(|e| panic!("pinning to core {core}: {e} (two cores are needed)"));
}

/// In the server process: pins itself, serves, prints the address, and returns once its
/// standard input closes (the benchmark exited or dropped it). `false` in any other process.
pub fn serve_if_server() -> bool {
    let Ok(core) = std::env::var(SERVER_CORE_VAR) else {
        return false;
    };
    pin(core
        .parse()
        .unwrap_or_else(|e| panic!("{SERVER_CORE_VAR}={core}: {e}")));
    let addr = super::server::start();
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{addr}").and_then(|()| stdout.flush());
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    true
}

/// The server process, pinned to [`SERVER_CORE`]; killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts this binary again as the server and waits for its address.
    pub fn start() -> Self {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("own binary: {e}"));
        let mut child = Command::new(exe)
            .env(SERVER_CORE_VAR, SERVER_CORE.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("server process: {e}"));
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let addr = line
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("server process printed {line:?}: {e}"));
        Self { child, addr }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
