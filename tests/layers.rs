//! The two user slots: per-attempt layers see the auth header; per-call layers run once; layers
//! compose in the order added.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};

use openai_invites::slot::{Body, Inner, SlotService};
use openai_invites::{InviteRequest, InviteRole, ListInvites};

type Seen = Arc<Mutex<Vec<Option<String>>>>;

fn recording_layer(
    seen: Seen,
) -> impl tower::Layer<Inner, Service = impl SlotService> + Send + Sync + 'static {
    tower::layer::layer_fn(move |inner| {
        let seen = seen.clone();
        tower::util::MapRequest::new(inner, move |mut request: http::Request<Body>| {
            let auth = request
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned());
            seen.lock().unwrap().push(auth);
            request
                .headers_mut()
                .insert("x-custom", "added-by-layer".parse().unwrap());
            request
        })
    })
}

#[tokio::test]
async fn per_attempt_layer_sees_auth_and_can_add_headers() {
    let (fake, _) = support::in_process();
    let seen: Seen = Arc::default();
    let client = support::in_process_builder(&fake)
        .layer_per_attempt(recording_layer(seen.clone()))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Some(format!("Bearer {}", fake.admin_key()))]
    );
    assert_eq!(
        fake.requests()[0].header("x-custom"),
        Some("added-by-layer")
    );
}

#[tokio::test]
async fn per_call_layer_runs_before_auth_once_per_call() {
    let (fake, _) = support::in_process();
    let seen: Seen = Arc::default();
    let client = support::in_process_builder(&fake)
        .layer_per_call(recording_layer(seen.clone()))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    client
        .invite_user(InviteRequest::new("a@example.com", InviteRole::Reader))
        .await
        .unwrap();
    // Twice, and before auth: no header yet.
    assert_eq!(*seen.lock().unwrap(), vec![None, None]);
}

#[tokio::test]
async fn layers_compose_in_the_order_added() {
    let (fake, _) = support::in_process();
    let order = Arc::new(Mutex::new(Vec::new()));
    let tag = |name: &'static str| {
        let order = order.clone();
        tower::layer::layer_fn(move |inner: Inner| {
            let order = order.clone();
            tower::util::MapRequest::new(inner, move |request: http::Request<Body>| {
                order.lock().unwrap().push(name);
                request
            })
        })
    };
    let client = support::in_process_builder(&fake)
        .layer_per_call(tag("call-1"))
        .layer_per_call(tag("call-2"))
        .layer_per_attempt(tag("attempt-1"))
        .layer_per_attempt(tag("attempt-2"))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(
        *order.lock().unwrap(),
        ["call-1", "call-2", "attempt-1", "attempt-2"]
    );
}

#[tokio::test(start_paused = true)]
async fn with_retries_per_call_runs_once_and_per_attempt_every_time() {
    let (fake, _) = support::in_process();
    fake.push_fault(openai_invites_mock::Fault::status(503).times(2));
    let per_call: Seen = Arc::default();
    let per_attempt: Seen = Arc::default();
    let client = support::in_process_builder(&fake)
        .layer_per_call(recording_layer(per_call.clone()))
        .layer_per_attempt(recording_layer(per_attempt.clone()))
        .max_retries(2)
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    assert_eq!(per_call.lock().unwrap().len(), 1);
    assert_eq!(per_attempt.lock().unwrap().len(), 3);
    assert_eq!(fake.request_count(), 3);
}
