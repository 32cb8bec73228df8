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
use openai_invites::layer::{
    AdminKey, AttemptSpanLayer, AttemptTimeoutLayer, AuthLayer, OperationSpanLayer,
    TotalTimeoutLayer,
};
use openai_invites_mock::FakeInvites;
use tower::{ServiceBuilder, ServiceExt};

#[tokio::main]
async fn main() -> Result<(), openai_invites::BoxError> {
    tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_writer(std::io::stderr)
        .init();

    let fake = FakeInvites::new();
    let key = AdminKey::new(fake.admin_key())?;
    let stack = ServiceBuilder::new()
        .layer(OperationSpanLayer)
        .layer(TotalTimeoutLayer::new(Duration::from_secs(30)))
        .layer(AuthLayer::new(
            &key,
            None,
            None,
            Some("custom-stack-example"),
        )?)
        .layer(AttemptSpanLayer)
        .layer(AttemptTimeoutLayer::new(Duration::from_secs(5)))
        .service(fake.service());

    let base = BaseUrl::parse("https://api.openai.com/v1")?;
    let request =
        InviteUser::new(InviteRequest::new("ana@example.com", InviteRole::Reader)).encode(&base)?;
    let response = stack.clone().oneshot(request).await?;
    let invite = InviteUser::decode(response)?;
    println!("invited {} as {}", invite.email, invite.id);

    let response = stack.oneshot(ListInvites::new().encode(&base)?).await?;
    let page = ListInvites::decode(response)?;
    println!("the organization has {} invite(s)", page.data.len());
    Ok(())
}
