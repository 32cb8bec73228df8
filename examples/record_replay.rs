//! Record and replay: record what a service answers, then answer from the cassette with no
//! server, no key and no network. Here the "real" service is the fake on loopback.
//!
//! ```sh
//! cargo run --example record_replay
//! ```
//!
//! Against the real API you would record once with a key (`Client::builder().from_env()` and
//! the same `RecordLayer` around the default transport), commit the cassette, and replay it
//! in CI.

use openai_invites::transport::{HyperTransport, TransportConfig};
use openai_invites::{Client, InviteRequest, InviteRole, ListInvites};
use openai_invites_mock::{Cassette, FakeServer, RecordLayer};
use tower::Layer;

/// What a test would look at: every answer, and the status of the one that fails.
#[derive(Debug, PartialEq)]
struct Answers {
    created: openai_invites::Invite,
    page: openai_invites::InviteListResponse,
    retrieved: openai_invites::Invite,
    deleted: openai_invites::InviteDeleteResponse,
    gone: Option<http::StatusCode>,
}

async fn run(client: &Client) -> Result<Answers, openai_invites::Error> {
    let created = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await?;
    let page = client.list_invites(ListInvites::new().limit(10)).await?;
    let retrieved = client.retrieve_invite(&created.id).await?;
    let deleted = client.delete_invite(&created.id).await?;
    let gone = client.retrieve_invite(&created.id).await.err();
    Ok(Answers {
        created,
        page,
        retrieved,
        deleted,
        gone: gone.and_then(|e| e.status()),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Record: the client's own transport, wrapped in the recording layer, against a server.
    let server = FakeServer::start().await?;
    let cassette = Cassette::new();
    let recording =
        RecordLayer::new(&cassette).layer(HyperTransport::plain(&TransportConfig::default()));
    let live = Client::builder()
        .base_url(&server.base_url())
        .admin_key(server.admin_key())
        .transport(recording)
        .build()?;
    let recorded = run(&live).await?;
    server.shutdown().await;

    let path = std::env::temp_dir().join(format!("invites-cassette-{}.json", std::process::id()));
    cassette.save(&path)?;
    let text = std::fs::read_to_string(&path)?;
    assert!(!text.contains("sk-admin-test"), "the key is never stored");
    println!(
        "recorded {} exchanges to {}",
        cassette.len(),
        path.display()
    );

    // 2. Replay: the cassette is the transport. No server runs any more; any key will do.
    let cassette = Cassette::load(&path)?;
    std::fs::remove_file(&path)?;
    let replay = Client::builder()
        .base_url("https://api.openai.com/v1")
        .admin_key("sk-admin-not-a-real-key")
        .transport(cassette.replayer())
        .build()?;
    let replayed = run(&replay).await?;
    assert_eq!(replayed, recorded);
    assert_eq!(cassette.unplayed(), 0);
    println!(
        "replayed the same answers: invite {} for {}, then {:?} once deleted",
        replayed.created.id, replayed.created.email, replayed.gone
    );

    // 3. A request the cassette does not hold fails loudly, naming it.
    let Err(miss) = replay.list_invites(ListInvites::new().limit(99)).await else {
        return Err("the cassette answered a request it never recorded".into());
    };
    println!("a miss: {miss}");
    // `Display` is one line; the underlying errors are reached with `get_ref`.
    let mut cause = miss
        .get_ref()
        .map(|e| e as &(dyn std::error::Error + 'static));
    while let Some(error) = cause {
        println!("  because: {error}");
        cause = error.source();
    }
    Ok(())
}
