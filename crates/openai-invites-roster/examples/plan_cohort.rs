//! Plan a cohort's invites, then apply them, against a fake organization (no key, no
//! network): `cargo run -p openai-invites-roster --example plan_cohort [ROSTER]`.
//!
//! The roster defaults to `examples/cohort.csv`; the fake starts with the test kit's sample
//! organization (`Seed::demo`: a dozen invites of every status), some for people on the roster.

use std::path::PathBuf;
use std::time::Duration;

use openai_invites::Client;
use openai_invites_mock::{FakeInvites, Seed};
use openai_invites_roster::{
    Applier, MaxRevoke, PlanOptions, Roster, plan, read_invites, write_report,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/cohort.csv"),
        PathBuf::from,
    );
    let roster = Roster::read_file(&path)?;

    // The test kit's sample organization (the command line's `--demo` too), as of now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let fake = FakeInvites::builder().seed(Seed::demo(now)).build();
    let client = Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        .build()?;

    let options = PlanOptions {
        prune: true,
        replace_drifted: true,
    };
    let invites = read_invites(&client).await?;
    let preview = plan(&roster, &invites, options);
    println!(
        "plan for {} ({} invites in the organization):",
        path.display(),
        invites.len()
    );
    for action in &preview.actions {
        let note = action.drift.map(|d| format!(" ({d})")).unwrap_or_default();
        let id = action.invite_id.as_deref().unwrap_or("-");
        println!("  {:<8} {:<18} {id}{note}", action.kind, action.email);
    }
    println!("{}", preview.summary());

    let report = Applier::new(client.clone())
        .max_revoke(MaxRevoke::Percent(100)) // the demo prunes half the pending invites
        .settle_delay(Duration::ZERO)
        .apply(&preview)
        .await?;
    println!("\napplied: {} ({:?})\n", report.summary(), report.status());
    write_report(std::io::stdout().lock(), &report.rows)?;

    let again = plan(&roster, &read_invites(&client).await?, options);
    println!("\nplanned again: {} to change", again.summary().changes());
    Ok(())
}
