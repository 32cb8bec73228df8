//! A soak of the whole client against the fake, in process on paused tokio time: many calls
//! of every operation at high concurrency (45 % creates over a bounded set of addresses, 15 %
//! retrieves, 15 % pages, 25 % deletes of invites the soak made), with a share of the requests
//! (every operation, the reconciliation's own reads included) meeting a fault of every kind the
//! fake offers, applied first or not (a 429 never after acting: it says the service refused).
//! The client has its defaults but the rate limit (the fake has none). Afterwards what each
//! call reported is checked against the fake's store: every create carries a project naming
//! its call, and deletes only take invites a create returned as its own, so an invite a call
//! made and did not report stays in the store.
//!
//! It prints the calls, the requests and faults, how many calls reported an unknown outcome
//! (`Error::is_outcome_unknown`), how many creates took effect yet were reported unknown
//! ("unknown but made"), and how many calls reported a known outcome that was not so
//! ("misreported": a create said not made that was, a create made twice...), with the reasons
//! the unknown creates gave.
//!
//! ```sh
//! cargo bench -p openai-invites-benches --bench soak                 # 100 000 calls, 256 at once, 5 % faults
//! CALLS=20000 CONCURRENCY=64 FAULTS=10 SEED=3 cargo bench -p openai-invites-benches --bench soak
//! ```
//!
//! It exits with a failure when a call was misreported. Under `cargo test --benches` it runs
//! 2 000 calls, as a smoke test.

mod faulty;
mod outcome;
mod report;

use std::sync::{Arc, Mutex, PoisonError};

use faulty::{Faulty, Settings};
use openai_invites::{Client, InviteRequest, InviteRole, ListInvites, ProjectRole};
use openai_invites_mock::FakeInvites;
use outcome::Outcome;
use report::Report;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let settings = Settings::from_env(benching);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let started = std::time::Instant::now();
    let report = runtime.block_on(soak(&settings));
    report.print(&settings);
    println!("took {:.1?} of real time", started.elapsed());
    if report.misreported > 0 {
        std::process::exit(1);
    }
}

/// What the calls share: the client, the ids of invites the calls made (deletes take from
/// them), and what each call reported.
struct Shared {
    client: Client,
    own: Mutex<Vec<String>>,
    outcomes: Mutex<Vec<(usize, Outcome)>>,
}

async fn soak(settings: &Settings) -> Report {
    // The log is bounded; the soak counts requests through `request_count`.
    let fake = FakeInvites::builder().max_log_bytes(1 << 20).build();
    let faulty = Faulty::new(&fake, settings.fault_percent, settings.seed);
    let client = Client::builder()
        .admin_key(fake.admin_key())
        .transport(faulty.clone())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let shared = Arc::new(Shared {
        client,
        own: Mutex::new(Vec::new()),
        outcomes: Mutex::new(Vec::with_capacity(settings.calls)),
    });
    // Task `t` makes the calls numbered t, t + concurrency, t + 2 * concurrency...
    let (calls, concurrency) = (settings.calls, settings.concurrency);
    let tasks: Vec<_> = (0..concurrency)
        .map(|task| {
            let shared = shared.clone();
            let (seed, emails) = (settings.seed, settings.emails);
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(seed.wrapping_add(task as u64));
                for call in (task..calls).step_by(concurrency) {
                    let outcome = one_call(&shared, &mut rng, call, emails).await;
                    lock(&shared.outcomes).push((call, outcome));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap_or_else(|e| panic!("task: {e}"));
    }
    let outcomes = std::mem::take(&mut *lock(&shared.outcomes));
    Report::check(&fake, faulty.counts(), &outcomes)
}

/// The project that marks the invites call `call` asks for, so the store tells which call
/// created an invite.
fn marker(call: usize) -> String {
    format!("proj_call_{call}")
}

fn call_of(marker: &str) -> Option<usize> {
    marker.strip_prefix("proj_call_")?.parse().ok()
}

/// One call of a random operation: creates, reads of one invite, pages, and deletes of
/// invites the soak's own creates made.
async fn one_call(shared: &Shared, rng: &mut fastrand::Rng, call: usize, emails: usize) -> Outcome {
    let client = &shared.client;
    match rng.u8(0..100) {
        0..45 => {
            let email = format!("person{}@example.com", rng.usize(0..emails));
            let request = InviteRequest::new(email, InviteRole::Reader)
                .with_project(marker(call), ProjectRole::Member);
            let result = client.invite_user(request).await;
            if let Ok(invite) = &result {
                if invite
                    .projects
                    .first()
                    .is_some_and(|p| p.id == marker(call))
                {
                    lock(&shared.own).push(invite.id.clone());
                }
            }
            Outcome::create(result)
        }
        45..60 => {
            let id = pick(&shared.own, rng, false).unwrap_or_else(|| "invite-none".into());
            Outcome::other("retrieveInvite", client.retrieve_invite(id).await.err())
        }
        60..75 => {
            let page = client.list_invites(ListInvites::new().limit(100)).await;
            Outcome::other("listInvites", page.err())
        }
        _ => match pick(&shared.own, rng, true) {
            Some(id) => Outcome::other("deleteInvite", client.delete_invite(id).await.err()),
            None => Outcome::other(
                "listInvites",
                client.list_invites(ListInvites::new()).await.err(),
            ),
        },
    }
}

/// A random id of the soak's own invites; `take` removes it (for a delete).
fn pick(own: &Mutex<Vec<String>>, rng: &mut fastrand::Rng, take: bool) -> Option<String> {
    let mut own = lock(own);
    if own.is_empty() {
        return None;
    }
    let at = rng.usize(0..own.len());
    Some(if take {
        own.swap_remove(at)
    } else {
        own[at].clone()
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
