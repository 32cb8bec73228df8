//! The client over HTTPS with HTTP/2 (ALPN) on 127.0.0.1, against a bare hyper-util client
//! over hyper-rustls with the same crypto provider (ring), the same root and the same ALPN,
//! and against reqwest with rustls; every runner does the same typed work (encode, send,
//! collect, decode) and puts the same request on the wire.
//!
//! The server (hyper-util's auto server, rustls, an rcgen certificate for `localhost`) runs
//! on its own runtime thread; the runners on a current-thread runtime on the main thread.
//! Runs are interleaved in rounds (the order rotates), and each figure is the median of
//! per-round ratios; "A/A" is the bare client against itself, the noise floor.
//!
//! ```sh
//! cargo bench --bench tls                  # 30 rounds of 250 ms per runner
//! ROUNDS=40 ROUND_MS=300 cargo bench --bench tls
//! ONLY=retrieve-64 cargo bench --bench tls # one row: retrieve-1, retrieve-64
//! SOLO=client ONLY=retrieve-64 cargo bench --bench tls   # one runner alone (profiling)
//! ```
//! Under `cargo test --benches` it runs one short round as a smoke test.

#[path = "../common/mod.rs"]
mod common;
mod runners;
mod server;

use openai_invites::BaseUrl;

use common::rounds::{CpuClock, Plan, Rounds, Work, client_runtime, measure};
use runners::Runner;

/// The runners of every row; the first is the baseline.
fn compared(base: &BaseUrl, pem: &str) -> [(&'static str, Runner); 4] {
    [
        ("bare", Runner::bare(base, pem)),
        ("A/A", Runner::bare(base, pem)),
        ("client", Runner::client(base, pem)),
        ("reqwest", Runner::reqwest(base, pem)),
    ]
}

fn main() {
    let Plan {
        benching,
        rounds,
        round,
    } = Plan::from_env(30, 250);

    let started = server::start();
    let base = BaseUrl::parse(&format!("https://localhost:{}/v1", started.addr.port()))
        .unwrap_or_else(|e| panic!("{e}"));
    let rt = client_runtime();

    let only = std::env::var("ONLY").ok();
    let rows = [
        ("retrieve-1", Work::Retrieve, 1),
        ("retrieve-64", Work::Retrieve, 64),
    ];
    let rows = rows
        .iter()
        .filter(|(key, ..)| only.as_deref().is_none_or(|only| only == *key));

    if let Ok(name) = std::env::var("SOLO") {
        let Some(&(_, work, concurrency)) = rows.clone().next() else {
            return;
        };
        let runner = match name.as_str() {
            "bare" => Runner::bare(&base, &started.pem),
            "client" => Runner::client(&base, &started.pem),
            "reqwest" => Runner::reqwest(&base, &started.pem),
            other => panic!("unknown SOLO runner {other:?}: bare, client, reqwest"),
        };
        let (rate, cpu) = rt.block_on(measure(
            &runner,
            work,
            concurrency,
            round * rounds as u32,
            CpuClock::Thread,
        ));
        println!("{name}: {rate:.0} req/s, {:.1} µs CPU/call", cpu * 1e6);
        return;
    }

    if !benching {
        println!("tls smoke run (not a measurement: use `cargo bench --bench tls`)");
    }
    println!("tls: {rounds} rounds x {round:?} per runner, HTTPS + HTTP/2 (ALPN), 127.0.0.1");
    println!(
        "\n| work | concurrency | bare req/s | A/A | client | reqwest | client / reqwest | bare µs/call | client CPU | reqwest CPU |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &(key, work, concurrency) in rows {
        let runners = compared(&base, &started.pem).map(|(_, runner)| runner);
        let r = rt.block_on(Rounds::run(
            &runners,
            work,
            concurrency,
            (rounds, round),
            CpuClock::Thread,
        ));
        println!(
            "| {key} | {concurrency} | {:.0} | {} | {} | {} | {} | {:.1} | {:.3} | {:.3} |",
            r.rate(0),
            r.rate_ratio(1),
            r.rate_ratio(2),
            r.rate_ratio(3),
            r.rate_ratio_to(2, 3),
            r.cpu_us(0),
            r.cpu_ratio(2),
            r.cpu_ratio(3),
        );
    }
    println!(
        "\nthroughput: median of per-round ratios (min..max); CPU: median per-round ratio to bare"
    );
}
