//! The client against a bare hyper-util client over real TCP on 127.0.0.1 (HTTP/1.1
//! keep-alive), with other runners beside them; every runner does the same typed work (encode,
//! send, collect, serde decode) and puts the same request on the wire: the others add the two
//! headers the client's auth layer sends (`authorization`, `user-agent`), as any client of this
//! API must.
//!
//! Two modes. By default (`SERVER=thread`) the server is a minimal hyper server in this
//! process, on its own runtime thread; the runners run on a current-thread runtime on the main
//! thread, so that thread's CPU time is the runner's. With `SERVER=process` the server runs in a
//! process of its own pinned to one core, the runners pinned to the other, and a call's CPU is
//! the whole client process's from `getrusage` (`process.rs`): what a service running the
//! client pays, with no server work in it. Runs are interleaved in rounds (the order rotates)
//! and each figure is the median of per-round ratios against the bare client. In the same
//! rounds:
//! - "A/A": the bare client against itself, the noise floor;
//! - "floor": the auth headers and one timeout around the client's own transport, the least
//!   any client with this design's guarantees does (`runners.rs`);
//! - "sketch": the floor plus the default stack's per-call work that no structure avoids, an
//!   optimistic stand-in for a client with every layer fused into one future (`sketch.rs`);
//! - "reqwest": plain reqwest doing the same work, for scale.
//!
//! ```sh
//! cargo bench -p openai-invites-benches --bench loopback   # 30 rounds of 250 ms per runner
//! SERVER=process cargo bench -p openai-invites-benches --bench loopback   # 100 x 50 ms, own process
//! ROUNDS=40 ROUND_MS=300 cargo bench -p openai-invites-benches --bench loopback
//! ONLY=retrieve-64 cargo bench -p openai-invites-benches --bench loopback   # one row: retrieve-1, retrieve-64, list-1
//! SOLO=client ONLY=retrieve-64 cargo bench -p openai-invites-benches --bench loopback   # alone
//! ```
//! `SOLO` runners: client, no-retry, no-limit, minimal (neither), floor, sketch, bare, reqwest.
//! Under `cargo test --benches` it runs one short round as a smoke test.

#[path = "../common/mod.rs"]
mod common;
mod process;
mod runners;
mod server;
mod sketch;

use std::num::NonZeroU32;

use openai_invites::{BaseUrl, Quota};

use common::rounds::{CpuClock, Plan, Rounds, Work, client_runtime, measure};
use process::ServerProcess;
use runners::{Runner, client_builder};

/// The runners compared in every row, with their column names; the first is the baseline,
/// bare hyper-util, that every ratio is taken against.
fn compared(base: &BaseUrl) -> [(&'static str, Runner); 6] {
    [
        ("bare", Runner::bare(base)),
        ("A/A", Runner::bare(base)),
        ("client", Runner::client(base)),
        ("floor", Runner::floor(base)),
        ("sketch", Runner::sketch(base)),
        ("reqwest", Runner::reqwest(base)),
    ]
}

/// A runner by its `SOLO` name.
fn solo(name: &str, base: &BaseUrl) -> Runner {
    let unreachable_quota = Quota::per_second(NonZeroU32::MAX);
    match name {
        "bare" => Runner::bare(base),
        "floor" => Runner::floor(base),
        "sketch" => Runner::sketch(base),
        "reqwest" => Runner::reqwest(base),
        "no-retry" => Runner::built(
            client_builder(base)
                .disable_retries()
                .rate_limit(unreachable_quota),
        ),
        "no-limit" => Runner::built(client_builder(base).no_rate_limit()),
        "minimal" => Runner::built(client_builder(base).disable_retries().no_rate_limit()),
        "client" => Runner::client(base),
        other => panic!("unknown SOLO runner {other:?}: see the list at the top of main.rs"),
    }
}

fn main() {
    if process::serve_if_server() {
        return;
    }
    let separate = match std::env::var("SERVER").as_deref() {
        Ok("process") => true,
        Ok("thread") | Err(_) => false,
        Ok(other) => panic!("SERVER={other}: `thread` (the default) or `process`"),
    };
    let Plan {
        benching,
        rounds,
        round,
    } = if separate {
        Plan::from_env(100, 50)
    } else {
        Plan::from_env(30, 250)
    };

    // Kept until the end: dropping it stops the server process.
    let server_process = separate.then(ServerProcess::start);
    let (addr, clock) = match &server_process {
        Some(server) => {
            process::pin(process::CLIENT_CORE);
            (server.addr, CpuClock::Process)
        }
        None => (server::start(), CpuClock::Thread),
    };
    let base = BaseUrl::parse(&format!("http://{addr}/v1")).unwrap_or_else(|e| panic!("{e}"));
    let rt = client_runtime();

    let only = std::env::var("ONLY").ok();
    let rows = [
        ("retrieve-1", "retrieve", Work::Retrieve, 1),
        ("retrieve-64", "retrieve", Work::Retrieve, 64),
        ("list-1", "list of 100", Work::List100, 1),
    ];
    let rows = rows
        .iter()
        .filter(|(key, ..)| only.as_deref().is_none_or(|only| only == *key));

    if let Ok(name) = std::env::var("SOLO") {
        // One runner alone, so a profiler sees only its work (the first selected row).
        let Some(&(_, _, work, concurrency)) = rows.clone().next() else {
            return;
        };
        let runner = solo(&name, &base);
        let duration = round * rounds as u32;
        let (rate, cpu) = rt.block_on(measure(&runner, work, concurrency, duration, clock));
        println!("{name}: {rate:.0} req/s, {:.1} µs CPU/call", cpu * 1e6);
        return;
    }

    if !benching {
        println!("loopback smoke run (not a measurement: use `cargo bench --bench loopback`)");
    }
    let server = if separate {
        "server in its own process on another core, CPU of the client process"
    } else {
        "server on a thread of this process, CPU of the runners' thread"
    };
    println!(
        "loopback: {rounds} rounds x {round:?} per runner, HTTP/1.1 keep-alive, 127.0.0.1, {server}"
    );
    let names = compared(&base).map(|(name, _)| name);
    let others = &names[1..];
    let header = |first: &str| {
        let cells: Vec<String> = others.iter().map(|n| format!(" {n} |")).collect();
        let rule = "---|".repeat(others.len() + 3);
        format!(
            "| work | concurrency | {first} |{}\n|{rule}",
            cells.concat()
        )
    };
    let mut throughput = vec![header("bare req/s")];
    let mut cpu = vec![header("bare µs/call")];
    let mut connections = vec![header("bare")];
    for &(_, name, work, concurrency) in rows {
        let runners = compared(&base).map(|(_, runner)| runner);
        let plan = (rounds, round);
        let r = rt.block_on(Rounds::run(&runners, work, concurrency, plan, clock));
        let (mut t, mut c) = (
            format!("| {name} | {concurrency} | {:.0} |", r.rate(0)),
            format!("| {name} | {concurrency} | {:.1} |", r.cpu_us(0)),
        );
        let mut n = format!("| {name} | {concurrency} | {} |", r.connections(0));
        for i in 1..names.len() {
            t.push_str(&format!(" {} |", r.rate_ratio(i)));
            c.push_str(&format!(" {:.3} |", r.cpu_ratio(i)));
            n.push_str(&format!(" {} |", r.connections(i)));
        }
        throughput.push(t);
        cpu.push(c);
        connections.push(n);
    }
    println!("\nthroughput against bare: median of per-round ratios (min..max)\n");
    println!("{}", throughput.join("\n"));
    println!("\nCPU per call on the client's side against bare: median of per-round ratios\n");
    println!("{}", cpu.join("\n"));
    if server_process.is_none() {
        // The server process counts its own connections: only this mode sees them.
        println!("\nnew connections opened during the measured rounds (after a warm-up)\n");
        println!("{}", connections.join("\n"));
    }
}
