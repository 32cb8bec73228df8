//! Measuring runners: one timed run, and interleaved rounds of several. Shared by the
//! loopback and TLS benchmarks.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use openai_invites::{ListInvites, Operation, RetrieveInvite};

use super::server::accepted;

/// How long to measure: `ROUNDS` rounds of `ROUND_MS` per runner under `cargo bench` (the
/// defaults are the caller's); one short round, as a smoke test, under `cargo test --benches`.
pub struct Plan {
    /// Run by `cargo bench` (`--bench`), not as a smoke test.
    pub benching: bool,
    /// Rounds per row.
    pub rounds: usize,
    /// Each runner's time in a round.
    pub round: Duration,
}

impl Plan {
    /// From the arguments and `ROUNDS`, `ROUND_MS`; `rounds` rounds of `round_ms` unless set.
    pub fn from_env(rounds: u64, round_ms: u64) -> Self {
        let env_or = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let benching = std::env::args().any(|a| a == "--bench");
        Self {
            benching,
            rounds: if benching {
                env_or("ROUNDS", rounds)
            } else {
                1
            } as usize,
            round: Duration::from_millis(if benching {
                env_or("ROUND_MS", round_ms)
            } else {
                20
            }),
        }
    }
}

/// Whose CPU time a call is charged: the runner's thread (the server runs in the same process)
/// or the whole process (the server runs in another one).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CpuClock {
    /// The calling thread's on-CPU time, from the scheduler (nanoseconds).
    Thread,
    /// The process's user and system time, every thread's, from `getrusage` (microseconds).
    Process,
}

impl CpuClock {
    /// CPU time consumed so far.
    pub fn now(self) -> Duration {
        match self {
            Self::Thread => std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok())
                .map(Duration::from_nanos)
                .unwrap_or_default(),
            Self::Process => process_cpu(),
        }
    }
}

/// User plus system time of this process (every thread's).
fn process_cpu() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    let Ok(usage) = getrusage(UsageWho::RUSAGE_SELF) else {
        return Duration::ZERO;
    };
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec().max(0) as u64)
            + Duration::from_micros(t.tv_usec().max(0) as u64)
    };
    micros(usage.user_time()) + micros(usage.system_time())
}

/// The runtime the runners run on: current-thread, on the main thread, so that thread's CPU
/// time is theirs.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("client runtime: {e}"))
}

/// What one call does.
#[derive(Clone, Copy, PartialEq)]
pub enum Work {
    /// Retrieve one invite.
    Retrieve,
    /// List a page of 100.
    List100,
}

/// A client under test: one call of `work`, and whether it succeeded.
pub trait Calls: Clone + Send + Sync + 'static {
    /// Sends `op` the runner's way; whether it succeeded (decoded).
    fn send<O: Operation + Send>(&self, op: O) -> impl Future<Output = bool> + Send;

    /// The operation `work` stands for, sent.
    fn call(&self, work: Work) -> impl Future<Output = bool> + Send {
        async move {
            match work {
                Work::Retrieve => self.send(RetrieveInvite::new("invite-abc")).await,
                Work::List100 => self.send(ListInvites::new().limit(100)).await,
            }
        }
    }
}

/// Calls per second and CPU seconds per call (on `clock`) of `runner` for `duration` at
/// `concurrency`.
///
/// Panics if any call fails: a runner that fails part of its calls would report figures for
/// work it did not do.
pub async fn measure<R: Calls>(
    runner: &R,
    work: Work,
    concurrency: usize,
    duration: Duration,
    clock: CpuClock,
) -> (f64, f64) {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let cpu_before = clock.now();
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let runner = runner.clone();
            let (done, failed) = (done.clone(), failed.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let counter = if runner.call(work).await {
                        &done
                    } else {
                        &failed
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let failed = failed.load(Ordering::Relaxed);
    assert!(
        failed == 0,
        "{failed} calls failed: the figures would be wrong"
    );
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = (clock.now() - cpu_before).as_secs_f64();
    let calls = done.load(Ordering::Relaxed).max(1) as f64;
    (calls / elapsed, cpu / calls)
}

/// Per-round figures of runners measured in the same rounds; the first is the baseline.
pub struct Rounds {
    /// `rate[runner][round]`, calls per second.
    rate: Vec<Vec<f64>>,
    /// `cpu[runner][round]`, CPU seconds per call.
    cpu: Vec<Vec<f64>>,
    /// Connections the server accepted during each runner's measured rounds (a pool that
    /// closes idle connections it will need again shows here).
    connections: Vec<u64>,
}

impl Rounds {
    /// Runs `runners` in `rounds` interleaved rounds of `round` each (the order rotates every
    /// round, so none always runs first or last), counting the connections the server thread
    /// accepts (none when the server is another process).
    pub async fn run<R: Calls>(
        runners: &[R],
        work: Work,
        concurrency: usize,
        (rounds, round): (usize, Duration),
        clock: CpuClock,
    ) -> Self {
        // Warm the pools and the server.
        for runner in runners {
            measure(runner, work, concurrency, Duration::from_millis(50), clock).await;
        }
        let mut out = Self {
            rate: vec![Vec::new(); runners.len()],
            cpu: vec![Vec::new(); runners.len()],
            connections: vec![0; runners.len()],
        };
        let mut order: Vec<usize> = (0..runners.len()).collect();
        for _ in 0..rounds {
            for &i in &order {
                let before = accepted();
                let (rate, cpu) = measure(&runners[i], work, concurrency, round, clock).await;
                out.connections[i] += accepted() - before;
                out.rate[i].push(rate);
                out.cpu[i].push(cpu);
            }
            order.rotate_left(1);
        }
        out
    }

    /// Median calls per second of runner `i`.
    pub fn rate(&self, i: usize) -> f64 {
        median(&self.rate[i])
    }

    /// Median CPU per call of runner `i`, in microseconds.
    pub fn cpu_us(&self, i: usize) -> f64 {
        median(&self.cpu[i]) * 1e6
    }

    /// New connections runner `i` opened during its measured rounds.
    pub fn connections(&self, i: usize) -> u64 {
        self.connections[i]
    }

    /// Runner `i`'s throughput against the baseline's in the same round: "median (min..max)".
    pub fn rate_ratio(&self, i: usize) -> String {
        summary(&ratios(&self.rate[i], &self.rate[0]))
    }

    /// Runner `i`'s throughput against runner `j`'s in the same round: "median (min..max)".
    pub fn rate_ratio_to(&self, i: usize, j: usize) -> String {
        summary(&ratios(&self.rate[i], &self.rate[j]))
    }

    /// Runner `i`'s CPU per call against the baseline's in the same round: the median.
    pub fn cpu_ratio(&self, i: usize) -> f64 {
        median(&ratios(&self.cpu[i], &self.cpu[0]))
    }
}

fn ratios(of: &[f64], to: &[f64]) -> Vec<f64> {
    of.iter().zip(to).map(|(a, b)| a / b).collect()
}

fn median(values: &[f64]) -> f64 {
    let mut values = values.to_vec();
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// "median (min..max)".
fn summary(values: &[f64]) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{:.3} ({lo:.3}..{hi:.3})", median(values))
}
