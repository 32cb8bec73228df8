//! Off-the-shelf tower and tower-http layers in the client's two slots, as they come.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use openai_invites::slot::Body;
use openai_invites::{Client, ErrorKind, ListInvites};
use openai_invites_mock::{FakeInvites, Fault};

const INVITE: &str = r#"{"object":"organization.invite","id":"invite-abc","email":"ana@example.com","role":"reader","status":"pending","created_at":1711471533,"projects":[]}"#;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A transport that answers `body` gzip-compressed when the request accepts gzip, and plain
/// otherwise.
fn gzip_transport(
    body: Vec<u8>,
) -> impl openai_invites::StackService<Error = std::convert::Infallible> {
    let body = Bytes::from(body);
    tower::service_fn(move |request: http::Request<Bytes>| {
        let accepts = request
            .headers()
            .get("accept-encoding")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("gzip"));
        let response = if accepts {
            http::Response::builder()
                .header("content-encoding", "gzip")
                .body(Bytes::from(gzip(&body)))
        } else {
            http::Response::builder().body(body.clone())
        };
        std::future::ready(Ok(response.unwrap()))
    })
}

#[tokio::test]
async fn trace_layer_sees_each_attempt_and_its_response() {
    let (fake, _) = support::in_process();
    let (recorder, _guard) = support::recorder::record();
    let client = support::in_process_builder(&fake)
        .layer_per_attempt(tower_http::trace::TraceLayer::new_for_http())
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let requests = recorder.spans_named("request");
    assert_eq!(requests.len(), 1, "{}", recorder.dump());
    assert_eq!(requests[0].fields["method"], "GET");
    assert!(requests[0].fields["uri"].ends_with("/organization/invites"));
    // tower-http reports the response once the client has read its body to the end.
    assert!(
        recorder
            .events()
            .iter()
            .any(|e| e.contains("finished processing request")),
        "{}",
        recorder.dump()
    );
}

#[tokio::test]
async fn decompression_layer_asks_for_gzip_and_the_client_decodes_the_plain_json() {
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(gzip_transport(INVITE.into()))
        .layer_per_attempt(tower_http::decompression::DecompressionLayer::new())
        .build()
        .unwrap();
    let invite = client.retrieve_invite("invite-abc").await.unwrap();
    assert_eq!(invite.email, "ana@example.com");

    // Without the layer the gzip is never asked for: the same transport answers plain JSON.
    let plain = Client::builder()
        .admin_key("sk-admin-test")
        .transport(gzip_transport(INVITE.into()))
        .build()
        .unwrap();
    assert_eq!(
        plain.retrieve_invite("invite-abc").await.unwrap().id,
        "invite-abc"
    );
}

#[tokio::test]
async fn the_response_cap_holds_after_decompression() {
    // 4 MiB of zeros compress to a few KiB: the cap applies to what the layer hands up.
    let bomb = vec![b' '; 4 * 1024 * 1024];
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(gzip_transport(bomb))
        .max_response_bytes(64 * 1024)
        .layer_per_attempt(tower_http::decompression::DecompressionLayer::new())
        .build()
        .unwrap();
    let err = client.retrieve_invite("invite-abc").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{err}");
}

/// Numbers the calls: `call-1`, `call-2`...
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl tower_http::request_id::MakeRequestId for Counter {
    fn make_request_id<B>(
        &mut self,
        _: &http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        Some(HeaderValue::from_str(&format!("call-{n}")).unwrap().into())
    }
}

#[tokio::test]
async fn set_request_header_and_request_id_reach_the_service() {
    let (fake, _) = support::in_process();
    let client = support::in_process_builder(&fake)
        .layer_per_call(tower_http::request_id::SetRequestIdLayer::x_request_id(
            Counter::default(),
        ))
        .layer_per_attempt(tower_http::set_header::SetRequestHeaderLayer::overriding(
            HeaderName::from_static("x-team"),
            HeaderValue::from_static("onboarding"),
        ))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let log = fake.requests();
    assert_eq!(log[0].header("x-team"), Some("onboarding"));
    assert_eq!(log[0].header("x-request-id"), Some("call-1"));
    assert_eq!(log[1].header("x-request-id"), Some("call-2"));
}

#[tokio::test(start_paused = true)]
async fn a_per_call_id_is_the_same_on_every_retry() {
    let (fake, _) = support::in_process();
    fake.push_fault(Fault::status(503));
    let client = support::in_process_builder(&fake)
        .layer_per_call(tower_http::request_id::SetRequestIdLayer::x_request_id(
            Counter::default(),
        ))
        .build()
        .unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let log = fake.requests();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|r| r.header("x-request-id") == Some("call-1"))
    );
}

#[tokio::test(start_paused = true)]
async fn concurrency_limit_holds_calls_back() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let transport = {
        let (in_flight, most) = (in_flight.clone(), most.clone());
        tower::service_fn(move |_: http::Request<Bytes>| {
            let (in_flight, most) = (in_flight.clone(), most.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, std::convert::Infallible>(http::Response::new(Bytes::from(INVITE)))
            }
        })
    };
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(transport)
        .no_rate_limit()
        .layer_per_call(tower::limit::ConcurrencyLimitLayer::new(2))
        .build()
        .unwrap();
    let calls: Vec<_> = (0..6)
        .map(|_| tokio::spawn(client.retrieve_invite("invite-abc")))
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(most.load(Ordering::SeqCst), 2);
}

/// A concurrency limit in the per-attempt slot, under a rate limit that makes callers wait: a
/// call waiting for its permit holds no slot of the limit, so every call goes through in
/// turn (it used to keep the slot it reserved before the wait, and two calls hung until
/// their total timeout).
#[tokio::test(start_paused = true)]
async fn tower_concurrency_limit_per_attempt_is_not_held_while_the_rate_limiter_waits() {
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .rate_limit(openai_invites::Quota::per_second(std::num::NonZeroU32::MIN))
        .layer_per_attempt(tower::limit::ConcurrencyLimitLayer::new(2))
        .total_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let calls: Vec<_> = (0..4)
        .map(|_| tokio::spawn(client.list_invites(ListInvites::new())))
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    // One request a second: the fourth goes after three seconds, not at the timeout.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert_eq!(fake.request_count(), 4);
}

#[tokio::test(start_paused = true)]
async fn tower_timeout_in_the_attempt_slot_fails_the_attempt_as_sent() {
    let client = Client::builder()
        .admin_key("sk-admin-test")
        .transport(support::never_answers())
        .layer_per_attempt(tower::timeout::TimeoutLayer::new(Duration::from_secs(1)))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(500), Duration::from_secs(8))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    let took = started.elapsed();
    // A layer of yours failed after the attempt was sent: the service may have acted, as after
    // the client's own attempt timeout, so an idempotent call is retried (three 1 s attempts
    // and two backoffs).
    assert!(
        took >= Duration::from_millis(3000 + 1125) && took <= Duration::from_millis(3000 + 1500),
        "{took:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Middleware, "{err}");
    assert_eq!(err.attempts(), 3);
    // A read changes nothing: whatever the service did, the outcome is known.
    assert!(!err.is_outcome_unknown() && !err.is_not_sent());
    // The layer's own error, for downcasting; its text is in `Display`, so `source()` does
    // not return it a second time.
    let inner = err.get_ref().unwrap();
    assert!(inner.is::<tower::timeout::error::Elapsed>(), "{inner}");
    assert!(std::error::Error::source(&err).is_none());
    assert!(err.to_string().contains(&inner.to_string()), "{err}");
}

/// `BufferLayer` spawns its worker when applied: the slot applies layers on the first call,
/// inside the runtime, so a client built outside one works.
#[test]
fn buffer_layer_on_a_client_built_outside_a_runtime() {
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .layer_per_call(tower::buffer::BufferLayer::<http::Request<Body>>::new(8))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        client.list_invites(ListInvites::new()).await.unwrap();
        client
            .clone()
            .list_invites(ListInvites::new())
            .await
            .unwrap();
    });
    assert_eq!(fake.request_count(), 2);
}

/// A layer of yours written on `http::Request<Body>` reads the bytes directly.
#[tokio::test]
async fn a_layer_of_yours_reads_the_request_body() {
    let (fake, _) = support::in_process();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let client = support::in_process_builder(&fake)
        .layer_per_attempt(tower::layer::layer_fn({
            let seen = seen.clone();
            move |inner| {
                let seen = seen.clone();
                tower::util::MapRequest::new(inner, move |request: http::Request<Body>| {
                    seen.lock()
                        .unwrap()
                        .push(request.body().as_bytes().to_vec());
                    request
                })
            }
        }))
        .build()
        .unwrap();
    client
        .invite_user(openai_invites::InviteRequest::new(
            "ana@example.com",
            openai_invites::InviteRole::Reader,
        ))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(String::from_utf8_lossy(&seen[0]).contains("ana@example.com"));
    assert_eq!(
        fake.invites().len(),
        1,
        "the same bytes reached the service"
    );
}
