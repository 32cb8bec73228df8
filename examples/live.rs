//! Against the real API, read-only: lists the organization's invites.
//!
//! Needs an admin key (not a project key) in `OPENAI_ADMIN_KEY`; honours `OPENAI_BASE_URL`,
//! `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`. Not run by the tests.
//!
//! ```sh
//! OPENAI_ADMIN_KEY=sk-admin-... cargo run --example live
//! ```

use openai_invites::{Client, ListInvites, TryStreamExt};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // RUST_LOG as `target=level` pairs (e.g. `openai_invites=debug`); errors by default.
    let filter: Targets = std::env::var("RUST_LOG")
        .as_deref()
        .unwrap_or("error")
        .parse()
        .map_err(|e| format!("RUST_LOG: {e}"))?;
    let log = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .finish();
    log.with(filter).init();

    let client = match Client::builder().from_env().build() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("cannot build the client: {error}");
            std::process::exit(2);
        }
    };
    let invites: Vec<_> = client
        .list_all_invites(ListInvites::new().limit(100))
        .try_collect()
        .await?;
    println!("{} invites", invites.len());
    for invite in invites {
        println!(
            "{}  {:<32} {:<7} {:<9} created {}",
            invite.id,
            invite.email,
            invite.role.as_str(),
            invite.status.as_str(),
            invite.created_at
        );
    }
    Ok(())
}
