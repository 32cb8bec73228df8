//! Quickstart: the whole invites API against the fake service on loopback.
//! No key and no network needed.
//!
//! ```sh
//! cargo run --example quickstart
//! RUST_LOG=openai_invites=debug cargo run --example quickstart   # spans and events on stderr
//! ```

use openai_invites::{
    Client, Ensured, InviteRequest, InviteRole, InviteUser, ListInvites, Operation, ProjectRole,
    RetrieveInvite, TryStreamExt,
};
use openai_invites_mock::{FakeServer, Fault, Match};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // RUST_LOG as `target=level` pairs (e.g. `openai_invites=debug`); warnings by default.
    let filter: Targets = std::env::var("RUST_LOG")
        .as_deref()
        .unwrap_or("warn")
        .parse()
        .map_err(|e| format!("RUST_LOG: {e}"))?;
    let log = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .finish();
    log.with(filter).init();

    // A stateful fake of the invites API on 127.0.0.1, with its own admin key.
    let server = FakeServer::start().await?;
    println!("fake invites service at {}", server.base_url());

    let client = Client::builder()
        .base_url(&server.base_url())
        .admin_key(server.admin_key())
        .build()?;

    // Two invitations: one into chosen projects, one into no project at all.
    let ana = client
        .invite_user(
            InviteRequest::new("ana@example.com", InviteRole::Reader)
                .with_project("proj_research", ProjectRole::Member)
                .with_project("proj_docs", ProjectRole::Owner),
        )
        .await?;
    let bo = client
        .invite_user(InviteRequest::new("bo@example.com", InviteRole::Owner).without_projects())
        .await?;
    let cy = client
        .invite_user(InviteRequest::new("cy@example.com", InviteRole::Reader))
        .await?;
    for invite in [&ana, &bo, &cy] {
        let projects: Vec<String> = invite
            .projects
            .iter()
            .map(|p| format!("{} ({})", p.id, p.role))
            .collect();
        println!(
            "invited {:<16} as {:<6} -> {} [{}], projects: {}",
            invite.email,
            invite.role.as_str(),
            invite.id,
            invite.status,
            if projects.is_empty() {
                "none".to_owned()
            } else {
                projects.join(", ")
            }
        );
    }

    // One page at a time...
    let first = client.list_invites(ListInvites::new().limit(2)).await?;
    println!(
        "first page: {} invites, has_more = {}, next cursor = {:?}",
        first.data.len(),
        first.has_more,
        first.next_cursor()
    );
    // ...or every invite, following the cursor.
    let all: Vec<_> = client
        .list_all_invites(ListInvites::new().limit(2))
        .try_collect()
        .await?;
    let emails: Vec<&str> = all.iter().map(|i| i.email.as_str()).collect();
    println!("all invites, newest first: {}", emails.join(", "));

    let again = client.retrieve_invite(&ana.id).await?;
    println!(
        "retrieved {}: {} is {}",
        again.id, again.email, again.status
    );

    let deleted = client.delete_invite(&bo.id).await?;
    println!("deleted {}: {}", deleted.id, deleted.deleted);

    // Errors are typed and carry the request id that support asks for.
    match client.retrieve_invite(&bo.id).await {
        Ok(invite) => println!("unexpected: {} still exists", invite.id),
        Err(error) => {
            println!("retrieving the deleted invite fails as expected:");
            println!("  status     {:?}", error.status());
            println!("  request id {:?}", error.request_id());
            println!(
                "  message    {:?}",
                error.api_error().and_then(|api| api.message())
            );
        }
    }

    // Transient faults are retried with backoff. Script a 503 for the next retrieve: the
    // client retries (retrieving is idempotent) and the call succeeds.
    server
        .fake()
        .push_fault(Fault::status(503).matching(Match::Operation(RetrieveInvite::META)));
    let before = server.fake().request_count();
    let again = client.retrieve_invite(&cy.id).await?;
    let attempts: Vec<String> = server.fake().requests()[before..]
        .iter()
        .map(|r| match &r.fault {
            Some(fault) => format!("{fault} (scripted)"),
            None => format!(
                "200 (x-stainless-retry-count: {})",
                r.header("x-stainless-retry-count").unwrap_or("-")
            ),
        })
        .collect();
    println!(
        "retrieved {} after a scripted 503: attempts {}",
        again.id,
        attempts.join(" -> ")
    );

    // Inviting is not idempotent: after an ambiguous failure it is never re-sent on a guess.
    // Here the fake creates the invite, then drops the connection: the client reads the
    // invites (after a settle delay), finds the one it made, and returns it.
    server.fake().push_fault(
        Fault::drop_connection()
            .apply_first()
            .matching(Match::Operation(InviteUser::META)),
    );
    let dee = client
        .invite_user(InviteRequest::new("dee@example.com", InviteRole::Reader))
        .await?;
    let dees = server
        .fake()
        .invites()
        .iter()
        .filter(|i| i.email == "dee@example.com")
        .count();
    println!(
        "invited {} although the connection dropped: found by reading the invites ({dees} invite for that address)",
        dee.id
    );

    // A provisioning job that runs again and again: ensure_invited never invites twice.
    for run in 1..=2 {
        let ensured = client
            .ensure_invited(InviteRequest::new("eve@example.com", InviteRole::Reader))
            .await?;
        let what = match ensured.outcome {
            Ensured::Created => "created".to_owned(),
            Ensured::AlreadyPending { mismatch } => format!("already pending ({mismatch:?})"),
            other => format!("{other:?}"),
        };
        println!("ensure_invited, run {run}: {} {what}", ensured.invite.id);
    }

    println!(
        "the fake received {} requests in all",
        server.fake().request_count()
    );
    server.shutdown().await;
    Ok(())
}
