//! What a shared permit costs as replicas grow, the total quota fixed (the figures in
//! section 5 of the repository's `BENCHMARKS.md`).
//!
//! ```sh
//! cargo run --release -p openai-invites-redis --example shared_limit_at_scale
//! INSTANCES=4,16,64 TASKS=4 RATE=200 RUN_MS=6000 cargo run --release -p openai-invites-redis --example shared_limit_at_scale
//! ```
//!
//! For each count of limiter instances (each one a replica: its own `RedisLimiter`, its own
//! Redis connection, all in this process), every instance runs `TASKS` callers that ask for
//! permits back to back, as the client's rate-limit layer does (a `Wait` is slept, then asked
//! again). The quota, `RATE` permits/s in bursts of 1, is shared by all of them. Measured
//! over the run less its first second (connections, script loading, the first queue):
//!
//! - EVALSHA per permit and Redis CPU per permit (`INFO commandstats`, `INFO cpu`);
//! - the time from asking to the permit (p50, p99), over the permits granted in the window;
//! - quota use: the permits granted in the window over `RATE` times the window;
//! - fairness: the fewest and the most permits one instance got, against an equal share.
//!
//! Starts its own `redis-server` when `REDIS_URL` is not set and one is on PATH.

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use std::num::NonZeroU32;
use std::time::Duration;

use openai_invites::layer::rate_limit::Admission;
use openai_invites::{Quota, RateLimiter};
use openai_invites_redis::RedisLimiter;
use tokio::time::Instant;

/// Not measured: connecting, loading the script, the first queue forming.
const WARM_UP: Duration = Duration::from_secs(1);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some((url, _own_server)) = redis_server::for_example() else {
        return Ok(());
    };
    let instances: Vec<u32> = env("INSTANCES", "4,16,64")
        .split(',')
        .map(|n| n.trim().parse())
        .collect::<Result<_, _>>()?;
    let tasks: u32 = env("TASKS", "4").parse()?;
    let rate: u32 = env("RATE", "200").parse()?;
    let run = Duration::from_millis(env("RUN_MS", "6000").parse()?);
    let window = run.checked_sub(WARM_UP).ok_or("RUN_MS must exceed 1000")?;
    let quota = Quota::per_second(NonZeroU32::new(rate).ok_or("RATE must be > 0")?)
        .allow_burst(NonZeroU32::MIN);

    println!(
        "{rate} permits/s shared (burst 1), {tasks} callers per instance, \
         measured over {window:?} after {WARM_UP:?}"
    );
    println!(
        "| instances | callers | permits | quota use | EVALSHA per permit | Redis CPU µs per permit \
         | script µs per permit | ask to permit p50 / p99 ms | permits per instance (share) min / max |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut stats = redis::Client::open(url.as_str())?.get_connection()?;
    for n in instances {
        let limiters = (0..n)
            .map(|_| {
                RedisLimiter::builder(url.clone(), quota)
                    .name(format!("scale-{n}-{}", std::process::id()))
                    .timeout(Duration::from_secs(1))
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let started = Instant::now();
        let (from, until) = (started + WARM_UP, started + run);
        let mut callers = Vec::new();
        for limiter in &limiters {
            for _ in 0..tasks {
                callers.push(tokio::spawn(caller(limiter.clone(), from, until)));
            }
        }
        tokio::time::sleep_until(from).await;
        let before = Server::read(&mut stats)?;
        tokio::time::sleep_until(until).await;
        let after = Server::read(&mut stats)?;

        let mut waits = Vec::new();
        let mut per_instance = vec![0_u64; n as usize];
        for (i, caller) in callers.into_iter().enumerate() {
            let granted = caller.await?;
            per_instance[i / tasks as usize] += granted.len() as u64;
            waits.extend(granted);
        }
        let failures: u64 = limiters.iter().map(RateLimiter::store_failures).sum();
        waits.sort();
        let permits = waits.len() as f64;
        let capacity = f64::from(rate) * window.as_secs_f64();
        let share = permits / f64::from(n);
        let (min, max) = (
            per_instance.iter().min().copied().unwrap_or(0),
            per_instance.iter().max().copied().unwrap_or(0),
        );
        println!(
            "| {n} | {} | {} | {:.1}% | {:.2} | {:.1} | {:.1} | {:.0} / {:.0} | {min} / {max} ({share:.1}){} |",
            n * tasks,
            waits.len(),
            100.0 * permits / capacity,
            (after.evalsha_calls - before.evalsha_calls) as f64 / permits,
            (after.cpu_us - before.cpu_us) / permits,
            (after.evalsha_us - before.evalsha_us) as f64 / permits,
            quantile(&waits, 0.50).as_secs_f64() * 1e3,
            quantile(&waits, 0.99).as_secs_f64() * 1e3,
            if failures > 0 {
                format!(", {failures} Redis failures")
            } else {
                String::new()
            },
        );
    }
    Ok(())
}

/// Asks for permits back to back until `until`; for each permit granted from `from` on, the
/// time since it was asked for.
async fn caller(limiter: RedisLimiter, from: Instant, until: Instant) -> Vec<Duration> {
    let mut granted = Vec::new();
    loop {
        let asked = Instant::now();
        let permit = async {
            loop {
                match limiter.acquire().await {
                    Ok(Admission::Granted) => return true,
                    Ok(Admission::Wait(wait)) => tokio::time::sleep(wait).await,
                    Err(_) => return false,
                }
            }
        };
        match tokio::time::timeout_at(until, permit).await {
            Ok(true) if Instant::now() >= from => granted.push(asked.elapsed()),
            Ok(_) => {}
            Err(_) => return granted,
        }
    }
}

/// What the server has counted so far.
struct Server {
    evalsha_calls: u64,
    evalsha_us: u64,
    /// `used_cpu_sys` + `used_cpu_user`, in µs.
    cpu_us: f64,
}

impl Server {
    fn read(connection: &mut redis::Connection) -> Result<Self, Box<dyn std::error::Error>> {
        let (evalsha_calls, evalsha_us) = match redis_server::evalsha_stats(connection)? {
            Some(stats) => (field(&stats, "calls")?, field(&stats, "usec")?),
            None => (0, 0),
        };
        let cpu: String = redis::cmd("INFO").arg("cpu").query(connection)?;
        let seconds = |name: &str| -> f64 {
            cpu.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':')?.trim().parse().ok())
                .unwrap_or(0.0)
        };
        Ok(Self {
            evalsha_calls,
            evalsha_us,
            cpu_us: (seconds("used_cpu_sys") + seconds("used_cpu_user")) * 1e6,
        })
    }
}

/// `name=value` from `calls=…,usec=…,usec_per_call=…`.
fn field(stats: &str, name: &str) -> Result<u64, Box<dyn std::error::Error>> {
    stats
        .split(',')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .ok_or_else(|| format!("no {name} in {stats}"))?
        .parse()
        .map_err(Into::into)
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at]
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}
