//! The client's OpenTelemetry metrics, exported to stdout: HTTP client durations per attempt,
//! call durations, retries, reconciliations, rate-limit waits. Needs the `metrics` feature.
//!
//! ```sh
//! cargo run -p openai-invites-tests --example metrics
//! ```
//!
//! In a service, install your own exporter (OTLP, Prometheus...) in the SDK's provider and
//! pass it with `meter_provider(..)`, or set it as the global provider, which the client reads
//! by default.

use openai_invites::{Client, InviteRequest, InviteRole, InviteUser, ListInvites, Operation};
use openai_invites_mock::{FakeInvites, Fault, Match};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reader = PeriodicReader::builder(opentelemetry_stdout::MetricExporter::default()).build();
    let provider = SdkMeterProvider::builder().with_reader(reader).build();

    let fake = FakeInvites::new();
    let client = Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        .retry_backoff(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(20),
        )
        .reconcile_settle_delay(std::time::Duration::from_millis(10))
        .meter_provider(provider.clone())
        .build()?;

    // A retried list, a create whose answer was lost after it took effect (reconciled), a 404.
    fake.push_fault(Fault::status(503));
    client.list_invites(ListInvites::new()).await?;
    fake.push_fault(
        Fault::drop_connection()
            .apply_first()
            .matching(Match::Operation(InviteUser::META)),
    );
    client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await?;
    let _ = client.retrieve_invite("invite-missing").await;

    // Export what was recorded, then stop the exporter.
    provider.shutdown()?;
    Ok(())
}
