//! Testing your service: production code takes a `ClientBuilder`, tests hand it one that talks
//! to the fake. Every scenario below asserts what it shows, so this example is a test too.
//!
//! ```sh
//! cargo run --example testing_your_service
//! ```
//!
//! In your own crate the scenarios are `#[tokio::test]` functions (with `start_paused = true`
//! for the in-process ones) and `openai-invites-mock` is a dev-dependency; here `main` runs them.

// A test: a failed call fails the scenario, with the error in the panic message.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use openai_invites::{
    BuildError, Client, ClientBuilder, Ensured, Error, Invite, InviteRequest, InviteRole,
    InviteStatus, InviteUser, ListInvites, Operation,
};
use openai_invites_mock::{FakeInvites, FakeServer, Fault, Match};

// ---- The service: what production runs. -------------------------------------------------

/// An onboarding step: makes sure each new hire has an invite, and lists who has not
/// accepted yet.
struct Onboarding {
    client: Client,
}

/// What happened for one person.
#[derive(Debug, PartialEq, Eq)]
enum Welcome {
    Invited(String),
    AlreadyPending(String),
    AlreadyMember,
}

impl Onboarding {
    /// Production: the admin key and the rest from the environment (`OPENAI_ADMIN_KEY`...).
    #[allow(dead_code)] // main only runs the tests
    fn from_env() -> Result<Self, BuildError> {
        Self::new(Client::builder().from_env())
    }

    /// Takes a builder, so that a test decides where requests go (the fake, in process or on
    /// loopback) while the service keeps its own settings. A service that is handed a
    /// ready `Client` instead works the same way.
    fn new(builder: ClientBuilder) -> Result<Self, BuildError> {
        let client = builder
            .organization("org-onboarding")
            .user_agent("onboarding/1.0")
            .build()?;
        Ok(Self { client })
    }

    /// `ensure_invited` for each email: never a second pending invite, however often it runs.
    async fn welcome(&self, emails: &[&str]) -> Result<Vec<Welcome>, Error> {
        let mut done = Vec::new();
        for email in emails {
            let request = InviteRequest::new(*email, InviteRole::Reader);
            let ensured = self.client.ensure_invited(request).await?;
            done.push(match ensured.outcome {
                outcome if outcome.created() => Welcome::Invited(ensured.invite.id),
                Ensured::AlreadyPending { .. } => Welcome::AlreadyPending(ensured.invite.id),
                // Accepted, or an outcome a later version adds: nothing to send.
                _ => Welcome::AlreadyMember,
            });
        }
        Ok(done)
    }

    /// Everyone invited who has not accepted yet.
    async fn waiting(&self) -> Result<Vec<Invite>, Error> {
        self.client.all_invites(InviteStatus::Pending).await
    }
}

// ---- The tests: the fake in place of the service. ----------------------------------------

/// The settle delay the tests set, rather than rely on the default.
const SETTLE: Duration = Duration::from_secs(2);

/// The service over the fake, in process: no socket, and paused time runs the waits
/// (backoff, settle delay) at once.
fn in_process(fake: &FakeInvites) -> Onboarding {
    let builder = Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        // Only the path reaches the fake: a telling host keeps test logs honest.
        .base_url("https://fake.invalid/v1")
        .reconcile_settle_delay(SETTLE);
    Onboarding::new(builder).unwrap()
}

/// Everyone is invited once; the requests carry the service's headers.
async fn happy_path() {
    let fake = FakeInvites::new();
    let service = in_process(&fake);
    let welcomed = service
        .welcome(&["ana@example.com", "bo@example.com"])
        .await
        .unwrap();
    assert!(
        welcomed.iter().all(|w| matches!(w, Welcome::Invited(_))),
        "{welcomed:?}"
    );
    assert_eq!(fake.invites().len(), 2);
    assert_eq!(service.waiting().await.unwrap().len(), 2);

    // Assert on what was sent: the request log keeps every request as it arrived.
    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.operation == Some(InviteUser::META.name))
        .unwrap();
    assert_eq!(create.header("openai-organization"), Some("org-onboarding"));
    assert!(
        create
            .header("user-agent")
            .unwrap()
            .contains("onboarding/1.0")
    );
    assert_eq!(create.json().unwrap()["email"], "ana@example.com");
    // The key never shows in the log.
    assert!(
        create
            .header("authorization")
            .unwrap()
            .ends_with("[redacted]")
    );
    println!("ok: happy path, {} requests", fake.request_count());
}

/// A 503 on a read is retried: the call succeeds, and the retry says it is one.
async fn a_scripted_503() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).matching(Match::Operation(ListInvites::META)));
    let service = in_process(&fake);
    let welcomed = service.welcome(&["cy@example.com"]).await.unwrap();
    assert!(
        matches!(welcomed[..], [Welcome::Invited(_)]),
        "{welcomed:?}"
    );
    let lists: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.operation == Some(ListInvites::META.name))
        .collect();
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0].fault.as_deref(), Some("status 503"));
    assert_eq!(lists[1].header("x-stainless-retry-count"), Some("1"));
    println!("ok: a scripted 503, retried");
}

/// The create reaches the service, then the connection drops: the client reads the invites
/// (after the settle delay, which paused time skips), finds the invite and returns it. The
/// person got one email, not two.
async fn a_connection_dropped_after_the_create() {
    let fake = FakeInvites::new();
    let dropped = Fault::drop_connection().apply_first();
    fake.push_fault(dropped.matching(Match::Operation(InviteUser::META)));
    let service = in_process(&fake);
    let started = tokio::time::Instant::now();
    let welcomed = service.welcome(&["dee@example.com"]).await.unwrap();
    assert!(
        matches!(welcomed[..], [Welcome::Invited(_)]),
        "{welcomed:?}"
    );
    assert_eq!(fake.invites().len(), 1);
    let creates = fake
        .requests()
        .iter()
        .filter(|r| r.operation == Some(InviteUser::META.name))
        .count();
    assert_eq!(creates, 1, "never sent twice");
    // On tokio's clock the settle delay went by; on the wall clock it did not.
    assert!(started.elapsed() >= SETTLE, "{:?}", started.elapsed());
    println!("ok: a connection dropped after the create, reconciled");
}

/// Someone already has a pending invite: nothing is sent.
async fn an_email_already_pending() {
    let fake = FakeInvites::new();
    let pending = fake.seed(InviteRequest::new("eli@example.com", InviteRole::Reader));
    let service = in_process(&fake);
    let welcomed = service.welcome(&["Eli@Example.com"]).await.unwrap();
    assert_eq!(welcomed, [Welcome::AlreadyPending(pending.id)]);
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.operation != Some(InviteUser::META.name))
    );
    println!("ok: an email already pending, nothing sent");
}

/// The same service over a real socket: the fake on loopback, with real time.
async fn on_loopback() {
    let server = FakeServer::start().await.unwrap();
    let builder = Client::builder()
        .base_url(&server.base_url())
        .admin_key(server.admin_key());
    let service = Onboarding::new(builder).unwrap();
    let welcomed = service
        .welcome(&["fay@example.com", "fay@example.com"])
        .await
        .unwrap();
    assert!(matches!(
        welcomed[..],
        [Welcome::Invited(_), Welcome::AlreadyPending(_)]
    ));
    assert_eq!(server.fake().invites().len(), 1);
    server.shutdown().await;
    println!("ok: on loopback");
}

fn main() {
    // In process, on paused time: what `#[tokio::test(start_paused = true)]` gives a test.
    let paused = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    paused.block_on(async {
        happy_path().await;
        a_scripted_503().await;
        a_connection_dropped_after_the_create().await;
        an_email_already_pending().await;
    });
    // Sockets want real time: a paused clock would jump past timeouts while a read waits.
    let real = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    real.block_on(on_loopback());
}
