//! What the roster tests share: a client over the in-process fake, seeds, counts of what the
//! fake received.

#![allow(dead_code)] // each test file uses part of it

use std::time::{SystemTime, UNIX_EPOCH};

use openai_invites::http::Method;
use openai_invites::{Client, InviteRole, InviteStatus};
use openai_invites_mock::{FakeInvites, RecordedRequest, Seed, SeedInvite};

/// A client of `fake`, in process, with no client-side rate limit (and the client's own
/// reconciliation on: the applier turns it off for its creates).
pub fn client(fake: &FakeInvites) -> Client {
    Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        .no_rate_limit()
        .build()
        .unwrap()
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Seeds `invites` (email, status) as readers of the default project, the first newest.
pub fn seed(fake: &FakeInvites, invites: &[(&str, InviteStatus)]) {
    let now = now();
    let seed = Seed::new(invites.iter().enumerate().map(|(at, (email, status))| {
        SeedInvite::new(*email)
            .role(InviteRole::Reader)
            .status(status.clone())
            .created_at(now - 10 - at as i64)
    }))
    .unwrap();
    fake.seed_invites(&seed).unwrap();
}

/// Seeds `n` pending invites for people off any roster (`other-N@example.org`).
pub fn seed_others(fake: &FakeInvites, n: usize) {
    let now = now();
    let seed = Seed::new(
        (0..n).map(|i| SeedInvite::new(format!("other-{i}@example.org")).created_at(now - 100)),
    )
    .unwrap();
    fake.seed_invites(&seed).unwrap();
}

fn is_collection(r: &RecordedRequest) -> bool {
    r.path.ends_with("/organization/invites")
}

/// How many creates, deletes and list pages the fake received.
pub fn counts(fake: &FakeInvites) -> (usize, usize, usize) {
    let log = fake.requests();
    let creates = log
        .iter()
        .filter(|r| r.method == Method::POST && is_collection(r))
        .count();
    let deletes = log.iter().filter(|r| r.method == Method::DELETE).count();
    let lists = log
        .iter()
        .filter(|r| r.method == Method::GET && is_collection(r))
        .count();
    (creates, deletes, lists)
}

/// The emails of the creates the fake received, in order.
pub fn created_emails(fake: &FakeInvites) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|r| r.method == Method::POST && is_collection(r))
        .filter_map(|r| Some(r.json()?["email"].as_str()?.to_owned()))
        .collect()
}

/// The pending invites of `email` in the fake.
pub fn pending_of(fake: &FakeInvites, email: &str) -> usize {
    fake.invites()
        .iter()
        .filter(|i| i.email.eq_ignore_ascii_case(email) && i.status == InviteStatus::Pending)
        .count()
}

/// A CSV roster of `n` readers `user-N@example.com`, default project.
pub fn csv_roster(n: usize) -> String {
    let mut text = String::from("email,role,projects\n");
    for i in 0..n {
        text.push_str(&format!("user-{i}@example.com,reader,\n"));
    }
    text
}
