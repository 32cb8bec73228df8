//! A randomized soak, in process: thousands of `inviteUser` and `ensure_invited` calls over a
//! few hundred addresses, with random ambiguous faults of every kind the fake offers, applied
//! before the answer or not, and faults on the reads too (the reconciliation's, and
//! `ensure_invited`'s). Afterwards every result agrees with the fake's store, no call made two
//! invites, and a create is reported unknown only when reading the invites failed, and never
//! when it took effect. (`benches/soak` is the large version: every operation, 100 000 calls.)
//!
//! It runs twice: against the fake as it is (it refuses a second pending invite for an
//! address, so no address may end with two), and against a fake that accepts duplicates, where
//! a second invite would stay in the store: there each call's own invites are counted (every
//! call asks for a project named after it), so a client that sent a create again after one had
//! taken effect would be caught.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openai_invites::{
    Error, ErrorKind, InviteRequest, InviteRole, InviteUser, Jitter, ListInvites, Operation,
    ProjectRole, Reconciled,
};
use openai_invites_mock::{FakeInvites, Fault, Match};

const CALLS: usize = 2400;
const TASKS: usize = 8;
const EMAILS: usize = 300;

/// Each call asks for a project named after it, so the store tells which call created an
/// invite.
fn marker(call: usize) -> String {
    format!("proj_call_{call}")
}

/// A fault a read of the invites may meet.
fn random_read_fault(rng: &mut fastrand::Rng) -> Fault {
    let fault = match rng.usize(0..8) {
        0 => Fault::status(500),
        1 => Fault::html(502, "<html>bad gateway</html>"),
        2 => Fault::status(503),
        3 => Fault::rate_limited(100),
        4 => Fault::drop_connection(),
        5 => Fault::truncated_body(),
        6 => Fault::malformed_json(),
        // Past the attempt timeout.
        _ => Fault::delay(Duration::from_secs(30)),
    };
    fault.matching(Match::Operation(ListInvites::META))
}

fn random_fault(rng: &mut fastrand::Rng) -> Fault {
    let fault = match rng.usize(0..9) {
        0 => Fault::status(500),
        1 => Fault::html(502, "<html>bad gateway</html>"),
        2 => Fault::status(503),
        3 => Fault::status(408),
        4 => Fault::status(409),
        5 => Fault::drop_connection(),
        // A 2xx: the service created the invite (a 2xx without one is not a real case).
        6 => Fault::truncated_body().apply_first(),
        7 => Fault::malformed_json().apply_first(),
        // Past the attempt timeout.
        _ => Fault::delay(Duration::from_secs(30)),
    };
    let fault = if rng.bool() {
        fault.apply_first()
    } else {
        fault
    };
    fault.matching(Match::Operation(InviteUser::META))
}

/// What one call returned.
#[derive(Debug)]
enum Seen {
    /// The call's invite (created by it or found).
    Invite(String),
    /// The email had a pending invite, this one.
    AlreadyPending(String),
    /// The call created nothing.
    NotCreated,
    /// The service could not be read: the call cannot tell (it must not have created one).
    Unknown,
}

fn classify(result: Result<String, Error>) -> Seen {
    match result {
        Ok(id) => Seen::Invite(id),
        Err(e) if e.kind() == ErrorKind::AlreadyInvited => {
            Seen::AlreadyPending(e.invite().unwrap().id.clone())
        }
        Err(e) if e.is_outcome_unknown() => {
            let text = e.to_string();
            assert!(text.contains("reading the invites failed"), "{text}");
            Seen::Unknown
        }
        // Settled as not created, or `ensure_invited` could not read the invites and never
        // sent a create.
        Err(e) => {
            let read_first = e.operation() == "listInvites";
            assert!(
                read_first || e.reconciled() == Some(Reconciled::NotCreated),
                "{e}"
            );
            Seen::NotCreated
        }
    }
}

#[tokio::test(start_paused = true)]
async fn no_address_is_ever_invited_twice() {
    soak(FakeInvites::new(), true).await;
}

#[tokio::test(start_paused = true)]
async fn no_call_invites_twice_even_where_the_service_would_accept_it() {
    soak(
        FakeInvites::builder().allow_duplicate_invites(true).build(),
        false,
    )
    .await;
}

/// Runs the soak against `fake`; `one_per_address`: the fake refuses duplicates, so each
/// address must end with one invite at most.
async fn soak(fake: FakeInvites, one_per_address: bool) {
    let client = support::in_process_builder(&fake)
        .no_rate_limit()
        .attempt_timeout(Duration::from_secs(10))
        .retry_jitter(Jitter::seeded(7))
        .build()
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (fake, client, seen) = (fake.clone(), client.clone(), seen.clone());
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(task as u64);
                for n in 0..CALLS / TASKS {
                    let call = task * (CALLS / TASKS) + n;
                    let email = format!("person{}@example.com", rng.usize(0..EMAILS));
                    if rng.u8(0..100) < 30 {
                        fake.push_fault(random_fault(&mut rng));
                    }
                    if rng.u8(0..100) < 10 {
                        fake.push_fault(random_read_fault(&mut rng));
                    }
                    let request = InviteRequest::new(email.clone(), InviteRole::Reader)
                        .with_project(marker(call), ProjectRole::Member);
                    let result = if rng.bool() {
                        client.invite_user(request).await.map(|i| i.id)
                    } else {
                        client.ensure_invited(request).await.map(|e| e.invite.id)
                    };
                    seen.lock().unwrap().push((call, email, classify(result)));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    let store = fake.invites();
    let mut per_email: HashMap<&str, usize> = HashMap::new();
    let mut per_call: HashMap<&str, usize> = HashMap::new();
    for invite in &store {
        *per_email.entry(invite.email.as_str()).or_default() += 1;
        *per_call.entry(invite.projects[0].id.as_str()).or_default() += 1;
    }
    assert!(
        per_call.values().all(|n| *n == 1),
        "a call that made two invites"
    );
    if one_per_address {
        assert!(
            per_email.values().all(|n| *n == 1),
            "an address with two invites"
        );
    }
    let by_id: HashMap<&str, _> = store.iter().map(|i| (i.id.as_str(), i)).collect();
    // Which call created each invite, by its marker project.
    let creator: HashMap<&str, String> = store
        .iter()
        .map(|i| (i.id.as_str(), i.projects[0].id.clone()))
        .collect();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), CALLS);
    let (mut not_created, mut unknown) = (0, 0);
    for (call, email, result) in seen.iter() {
        match result {
            Seen::Invite(id) | Seen::AlreadyPending(id) => {
                let invite = by_id
                    .get(id.as_str())
                    .unwrap_or_else(|| panic!("{id} is not in the store"));
                assert_eq!(&invite.email, email);
            }
            Seen::NotCreated | Seen::Unknown => {
                match result {
                    Seen::NotCreated => not_created += 1,
                    _ => unknown += 1,
                }
                let mine = marker(*call);
                assert!(
                    creator.values().all(|c| *c != mine),
                    "call {call} said {result:?}, but it created an invite"
                );
            }
        }
    }
    // Every invite in the store was reported to the call that made it.
    for (id, made_by) in &creator {
        let call: usize = made_by.trim_start_matches("proj_call_").parse().unwrap();
        let (_, _, result) = seen.iter().find(|(c, ..)| *c == call).unwrap();
        assert!(
            matches!(result, Seen::Invite(seen_id) if seen_id == id),
            "call {call} created {id} but saw {result:?}"
        );
    }
    // The soak did exercise the faults (a few hundred of the calls met one).
    assert!(fake.request_count() > CALLS, "{}", fake.request_count());
    println!(
        "{CALLS} calls, {} invites, {not_created} not created, {unknown} unknown, {} requests",
        store.len(),
        fake.request_count()
    );
}
