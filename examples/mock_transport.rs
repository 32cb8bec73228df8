//! Swapping the transport for tests: a `tower::service_fn` with canned answers, and the fake's
//! stateful in-process service. No sockets, no key, no network.
//!
//! ```sh
//! cargo run --example mock_transport
//! ```

use bytes::Bytes;
use openai_invites::{Client, InviteRequest, InviteRole, ListInvites, Operation, RetrieveInvite};
use openai_invites_mock::{FakeInvites, Fault};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. A hand-written transport: answer every request with the same page.
    let canned = tower::service_fn(|request: http::Request<Bytes>| async move {
        println!("service_fn got {} {}", request.method(), request.uri());
        let body = r#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#;
        http::Response::builder()
            .header("x-request-id", "req_canned")
            .body(Bytes::from_static(body.as_bytes()))
    });
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(canned)
        .build()?;
    let page = client.list_invites(ListInvites::new().limit(5)).await?;
    println!("canned page: {} invites\n", page.data.len());

    // 2. The stateful fake, in process: real semantics, scripted faults, a request log.
    let fake = FakeInvites::new();
    let client = Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        .build()?;
    let invite = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Owner))
        .await?;
    println!("the fake stored {} for {}", invite.id, invite.email);

    fake.push_fault(
        Fault::html(502, "<html>Bad gateway</html>")
            .matching(openai_invites_mock::Match::Operation(RetrieveInvite::META)),
    );
    match client.retrieve_invite(&invite.id).await {
        Ok(again) => println!("retrieved {} (the fault was retried away)", again.id),
        Err(error) => println!("scripted fault surfaced as: {error}"),
    }
    println!("requests the fake received: {}", fake.request_count());
    Ok(())
}
