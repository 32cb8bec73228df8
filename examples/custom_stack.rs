//! Building your own stack from the same public layers the client uses, around any
//! transport, and driving it with the core crate's operations.
//!
//! ```sh
//! cargo run --example custom_stack
//! ```

use std::time::Duration;

use openai_invites::core::{
    BaseUrl, InviteRequest, InviteRole, InviteUser, ListInvites, Operation,
};
use std::num::NonZeroU32;
use std::sync::Arc;

use openai_invites::layer::rate_limit::{GovernorLimiter, Quota, RateLimitLayer};
use openai_invites::layer::retry::{RetryLayer, RetryPolicy};
use openai_invites::layer::{
    AdminKey, AttemptSpanLayer, AttemptTimeoutLayer, AuthLayer, OperationSpanLayer,
    TotalTimeoutLayer,
};
use openai_invites_mock::FakeInvites;
use openai_invites_mock::Fault;
use tower::{ServiceBuilder, ServiceExt};

#[tokio::main]
async fn main() -> Result<(), openai_invites::BoxError> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .init();

    let fake = FakeInvites::new();
    let key = AdminKey::new(fake.admin_key())?;
    let stack = ServiceBuilder::new()
        .layer(OperationSpanLayer)
        .layer(TotalTimeoutLayer::new(Duration::from_secs(30)))
        .layer(RetryLayer::new(RetryPolicy::default()))
        .layer(RateLimitLayer::new(Arc::new(GovernorLimiter::new(
            Quota::per_second(NonZeroU32::MIN.saturating_add(4)),
        ))))
        .layer(AuthLayer::new(&key)?.user_agent_suffix("custom-stack-example")?)
        .layer(AttemptSpanLayer)
        .layer(AttemptTimeoutLayer::new(Duration::from_secs(5)))
        .service(fake.service());

    let base = BaseUrl::parse("https://api.openai.com/v1")?;
    let request =
        InviteUser::new(InviteRequest::new("ana@example.com", InviteRole::Reader)).encode(&base)?;
    let response = stack.clone().oneshot(request).await?;
    let invite = InviteUser::decode(response)?;
    println!("invited {} as {}", invite.email, invite.id);

    // The retry layer works outside the client too: a scripted 503 is retried away.
    fake.push_fault(Fault::status(503));
    let response = stack.oneshot(ListInvites::new().encode(&base)?).await?;
    let page = ListInvites::decode(response)?;
    println!(
        "the organization has {} invite(s); the fake saw {} requests (one 503, retried)",
        page.data.len(),
        fake.request_count()
    );
    Ok(())
}
