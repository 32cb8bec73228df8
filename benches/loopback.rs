//! The client against a bare hyper-util client over real TCP on 127.0.0.1 (HTTP/1.1
//! keep-alive), both doing the same typed work: encode, send, collect, serde decode. Both put
//! the same request on the wire: the bare client adds the two headers the client's auth layer
//! sends (`authorization`, `user-agent`), as any client of this API must.
//!
//! The server is a minimal hyper server in this process, on its own runtime thread; the clients
//! run on a current-thread runtime on the main thread, so that thread's CPU time is the
//! client's. Runs are interleaved in rounds (bare, client, bare again; the order rotates) and
//! each figure is the median of per-round ratios; "A/A" is the bare client against itself,
//! the noise floor. Plain reqwest runs in the same rounds, doing the same work, for scale.
//!
//! ```sh
//! cargo bench --bench loopback                 # 30 rounds of 250 ms per runner
//! ROUNDS=40 ROUND_MS=300 cargo bench --bench loopback
//! ONLY=retrieve-64 cargo bench --bench loopback   # one row: retrieve-1, retrieve-64, list-1
//! ```
//! Under `cargo test --benches` it runs one short round as a smoke test.

mod common;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use openai_invites::{BaseUrl, Client, ListInvites, Operation, Quota, RetrieveInvite};

static ACCEPTED: AtomicU64 = AtomicU64::new(0);
const POOL_IDLE: Duration = Duration::from_secs(90);
const POOL_MAX_IDLE: usize = 128;

/// The minimal server: a canned retrieve body, or a canned page of 100.
fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("server runtime: {e}"));
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let _ = tx.send(
                listener
                    .local_addr()
                    .unwrap_or_else(|e| panic!("addr: {e}")),
            );
            let one = common::invite_body();
            let page = common::page_body(100);
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
                let _ = tcp.set_nodelay(true);
                let (one, page) = (one.clone(), page.clone());
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |request: http::Request<Incoming>| {
                            let body = if request.uri().path().ends_with("/invites") {
                                &page
                            } else {
                                &one
                            };
                            let response = common::ok_response(body).map(Full::new);
                            async move { Ok::<_, std::convert::Infallible>(response) }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
        });
    });
    rx.recv()
        .unwrap_or_else(|e| panic!("server did not start: {e}"))
}

/// On-CPU time of the calling thread, from the scheduler (nanosecond resolution).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

#[derive(Clone, Copy, PartialEq)]
enum Work {
    Retrieve,
    List100,
}

#[derive(Clone)]
enum Runner {
    Transport(openai_invites::transport::HyperTransport, BaseUrl),
    Bare(
        Arc<PooledClient<HttpConnector, Full<Bytes>>>,
        BaseUrl,
        Arc<Identity>,
    ),
    Client(Client),
    /// Plain reqwest (no TLS features) doing the same typed work, for scale.
    Reqwest(reqwest::Client, BaseUrl, Arc<Identity>),
}

impl Runner {
    fn bare(base: &BaseUrl) -> Self {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        let client = PooledClient::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_MAX_IDLE)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(http);
        Self::Bare(Arc::new(client), base.clone(), Arc::new(Identity::new()))
    }

    fn reqwest(base: &BaseUrl) -> Self {
        let client = reqwest::Client::builder()
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_MAX_IDLE)
            .tcp_nodelay(true)
            .build()
            .unwrap_or_else(|e| panic!("reqwest: {e}"));
        Self::Reqwest(client, base.clone(), Arc::new(Identity::new()))
    }

    fn client(base: &BaseUrl) -> Self {
        let client = Client::builder()
            .admin_key(ADMIN_KEY)
            .base_url(base.as_str())
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_MAX_IDLE)
            // The limiter runs on every attempt, with a quota this benchmark never reaches.
            .rate_limit(Quota::per_second(NonZeroU32::MAX))
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        Self::Client(client)
    }

    async fn call(&self, work: Work) -> bool {
        match (self, work) {
            (Self::Transport(t, base), Work::Retrieve) => {
                use tower::ServiceExt;
                let Ok(request) = RetrieveInvite::new("invite-abc").encode(base) else {
                    return false;
                };
                let Ok(response) = t.clone().oneshot(request).await else {
                    return false;
                };
                RetrieveInvite::decode(response).is_ok()
            }
            (Self::Transport(..), Work::List100) => false,
            (Self::Client(c), Work::Retrieve) => c.retrieve_invite("invite-abc").await.is_ok(),
            (Self::Client(c), Work::List100) => {
                c.list_invites(ListInvites::new().limit(100)).await.is_ok()
            }
            (Self::Bare(c, base, id), Work::Retrieve) => {
                bare_call(c, RetrieveInvite::new("invite-abc"), base, id).await
            }
            (Self::Bare(c, base, id), Work::List100) => {
                bare_call(c, ListInvites::new().limit(100), base, id).await
            }
            (Self::Reqwest(c, base, id), Work::Retrieve) => {
                reqwest_call(c, RetrieveInvite::new("invite-abc"), base, id).await
            }
            (Self::Reqwest(c, base, id), Work::List100) => {
                reqwest_call(c, ListInvites::new().limit(100), base, id).await
            }
        }
    }
}

async fn bare_call<O: Operation>(
    client: &PooledClient<HttpConnector, Full<Bytes>>,
    op: O,
    base: &BaseUrl,
    identity: &Identity,
) -> bool {
    let Ok(mut request) = op.encode(base) else {
        return false;
    };
    identity.apply(&mut request);
    let Ok(response) = client.request(request.map(Full::new)).await else {
        return false;
    };
    let (parts, body) = response.into_parts();
    let Ok(body) = body.collect().await else {
        return false;
    };
    O::decode(http::Response::from_parts(parts, body.to_bytes())).is_ok()
}

/// The same work through reqwest: the encoded request converted to reqwest's, the response
/// converted back, collected and decoded.
async fn reqwest_call<O: Operation>(
    client: &reqwest::Client,
    op: O,
    base: &BaseUrl,
    identity: &Identity,
) -> bool {
    let Ok(mut request) = op.encode(base) else {
        return false;
    };
    identity.apply(&mut request);
    let Ok(request) = reqwest::Request::try_from(request) else {
        return false;
    };
    let Ok(response) = client.execute(request).await else {
        return false;
    };
    let (parts, body) = http::Response::from(response).into_parts();
    let Ok(body) = body.collect().await else {
        return false;
    };
    O::decode(http::Response::from_parts(parts, body.to_bytes())).is_ok()
}

const ADMIN_KEY: &str = "sk-admin-bench";

/// The headers the client's auth layer sends, so that the bare client puts the same request on
/// the wire (a real bare client of this API must authenticate too). Built once, cloned per
/// request, as the auth layer does.
struct Identity {
    authorization: http::HeaderValue,
    user_agent: http::HeaderValue,
}

impl Identity {
    fn new() -> Self {
        let mut authorization = http::HeaderValue::try_from(format!("Bearer {ADMIN_KEY}"))
            .unwrap_or_else(|e| panic!("{e}"));
        authorization.set_sensitive(true);
        Self {
            authorization,
            user_agent: http::HeaderValue::from_static(openai_invites::layer::DEFAULT_USER_AGENT),
        }
    }

    fn apply<B>(&self, request: &mut http::Request<B>) {
        let headers = request.headers_mut();
        headers.insert(http::header::AUTHORIZATION, self.authorization.clone());
        headers.insert(http::header::USER_AGENT, self.user_agent.clone());
    }
}

/// Calls per second and CPU per call of `runner` for `duration` at `concurrency`.
async fn measure(
    runner: &Runner,
    work: Work,
    concurrency: usize,
    duration: Duration,
) -> (f64, f64) {
    let done = Arc::new(AtomicU64::new(0));
    let cpu_before = thread_cpu();
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let runner = runner.clone();
            let done = done.clone();
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    if runner.call(work).await {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = (thread_cpu() - cpu_before).as_secs_f64();
    let calls = done.load(Ordering::Relaxed).max(1) as f64;
    (calls / elapsed, cpu / calls)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn spread(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let rounds = if benching { env_or("ROUNDS", 30) } else { 1 } as usize;
    let round = Duration::from_millis(if benching {
        env_or("ROUND_MS", 250)
    } else {
        20
    });

    let addr = start_server();
    let base = BaseUrl::parse(&format!("http://{addr}/v1")).unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("client runtime: {e}"));

    // Profiling aid: `SOLO=<runner> ONLY=retrieve-64 cargo bench --bench loopback` runs one
    // runner alone, so a profiler sees only its work. Runners: client (the default stack),
    // no-retry, no-limit, minimal (neither), transport (HyperTransport alone), bare, reqwest.
    let only = std::env::var("ONLY").ok();
    if let Ok(solo) = std::env::var("SOLO") {
        let (work, concurrency) = match only.as_deref() {
            Some("list-1") => (Work::List100, 1),
            Some("retrieve-1") => (Work::Retrieve, 1),
            _ => (Work::Retrieve, 64),
        };
        rt.block_on(async {
            let builder = || {
                Client::builder()
                    .admin_key(ADMIN_KEY)
                    .base_url(base.as_str())
                    .pool_idle_timeout(POOL_IDLE)
                    .pool_max_idle_per_host(POOL_MAX_IDLE)
            };
            let runner = match solo.as_str() {
                "bare" => Runner::bare(&base),
                "reqwest" => Runner::reqwest(&base),
                "no-retry" => Runner::Client(
                    builder()
                        .disable_retries()
                        .rate_limit(Quota::per_second(NonZeroU32::MAX))
                        .build()
                        .unwrap_or_else(|e| panic!("{e}")),
                ),
                "no-limit" => Runner::Client(
                    builder()
                        .no_rate_limit()
                        .build()
                        .unwrap_or_else(|e| panic!("{e}")),
                ),
                "minimal" => Runner::Client(
                    builder()
                        .disable_retries()
                        .no_rate_limit()
                        .build()
                        .unwrap_or_else(|e| panic!("{e}")),
                ),
                "transport" => {
                    let mut config = openai_invites::transport::TransportConfig::default();
                    config.pool_max_idle_per_host = POOL_MAX_IDLE;
                    Runner::Transport(
                        openai_invites::transport::HyperTransport::plain(&config),
                        base.clone(),
                    )
                }
                _ => Runner::client(&base),
            };
            let (rate, cpu) = measure(&runner, work, concurrency, round * rounds as u32).await;
            println!(
                "{solo}: {rate:.0} req/s, {:.1} µs CPU/call, {} connections",
                cpu * 1e6,
                ACCEPTED.load(Ordering::Relaxed)
            );
        });
        return;
    }
    if !benching {
        println!("loopback smoke run (not a measurement: use `cargo bench --bench loopback`)");
    }
    println!("loopback: {rounds} rounds x {round:?} per runner, HTTP/1.1 keep-alive, 127.0.0.1");
    println!(
        "| work | concurrency | bare req/s | client req/s | client / bare | A/A | reqwest / bare | CPU/call bare | CPU/call client | CPU client / bare | CPU reqwest / bare |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (work, name, concurrency) in [
        (Work::Retrieve, "retrieve", 1),
        (Work::Retrieve, "retrieve", 64),
        (Work::List100, "list of 100", 1),
    ] {
        let key = match (work, concurrency) {
            (Work::List100, _) => "list-1",
            (_, 1) => "retrieve-1",
            _ => "retrieve-64",
        };
        if only.as_deref().is_some_and(|only| only != key) {
            continue;
        }
        let runners = [
            Runner::bare(&base),
            Runner::bare(&base),
            Runner::client(&base),
            Runner::reqwest(&base),
        ];
        let rounds = rt.block_on(compare(&runners, work, concurrency, rounds, round));
        println!("| {name} | {concurrency} | {rounds} |");
    }
}

/// The per-round figures of the four runners of [`compare`]: bare, bare again (the A/A
/// floor), the client, reqwest.
#[derive(Default)]
struct Rounds {
    bare_rate: Vec<f64>,
    client_rate: Vec<f64>,
    bare_cpu: Vec<f64>,
    client_cpu: Vec<f64>,
    client: Vec<f64>,
    aa: Vec<f64>,
    reqwest: Vec<f64>,
    client_cpu_ratio: Vec<f64>,
    reqwest_cpu_ratio: Vec<f64>,
}

/// Runs the runners in interleaved rounds (the order rotates every round); each ratio is
/// taken within one round, against that round's bare run.
async fn compare(
    runners: &[Runner; 4],
    work: Work,
    concurrency: usize,
    rounds: usize,
    round: Duration,
) -> Rounds {
    // Warm the pools and the server.
    for runner in runners {
        measure(runner, work, concurrency, Duration::from_millis(50)).await;
    }
    let mut out = Rounds::default();
    for r in 0..rounds {
        let mut order = [0usize, 1, 2, 3];
        order.rotate_left(r % runners.len());
        let mut results = [(0.0, 0.0); 4];
        for i in order {
            results[i] = measure(&runners[i], work, concurrency, round).await;
        }
        let [
            (bare, bare_cpu),
            (again, _),
            (client, client_cpu),
            (reqwest, reqwest_cpu),
        ] = results;
        out.bare_rate.push(bare);
        out.client_rate.push(client);
        out.bare_cpu.push(bare_cpu);
        out.client_cpu.push(client_cpu);
        out.client.push(client / bare);
        out.aa.push(again / bare);
        out.reqwest.push(reqwest / bare);
        out.client_cpu_ratio.push(client_cpu / bare_cpu);
        out.reqwest_cpu_ratio.push(reqwest_cpu / bare_cpu);
    }
    out
}

/// "median (min..max)".
fn summary(values: &[f64]) -> String {
    let (lo, hi) = spread(values);
    format!("{:.3} ({lo:.3}..{hi:.3})", median(values.to_vec()))
}

impl std::fmt::Display for Rounds {
    /// The row's cells after work and concurrency.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} | {:.0} | {} | {} | {} | {:.1} µs | {:.1} µs | {:.3} | {:.3}",
            median(self.bare_rate.clone()),
            median(self.client_rate.clone()),
            summary(&self.client),
            summary(&self.aa),
            summary(&self.reqwest),
            median(self.bare_cpu.clone()) * 1e6,
            median(self.client_cpu.clone()) * 1e6,
            median(self.client_cpu_ratio.clone()),
            median(self.reqwest_cpu_ratio.clone()),
        )
    }
}
