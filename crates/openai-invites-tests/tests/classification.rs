//! One classification: an error is what it is, however a layer of yours wraps it; an attempt
//! that may have reached the service is known by the retry loop itself (no tracing layer
//! needed); and a read never leaves an unknown outcome.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use openai_invites::core::{BaseUrl, DeleteInvite, InviteUser, Operation, RetrieveInvite};
use openai_invites::layer::retry::{RetryLayer, RetryPolicy};
use openai_invites::layer::{AdminKey, AttemptTimeoutLayer, AuthLayer, TotalTimeoutLayer};
use openai_invites::transport::TransportError;
use openai_invites::{BoxError, Client, Error, ErrorKind, InviteRequest, InviteRole, ListInvites};
use openai_invites_mock::{FakeInvites, Fault, Match};
use tower::{Service, ServiceBuilder, ServiceExt};

/// A layer of yours that wraps every error it passes on.
#[derive(Debug, thiserror::Error)]
#[error("a layer of yours: {0}")]
struct Wrapped(#[source] BoxError);

/// A transport that always fails with the error `make` makes.
fn failing(
    make: fn() -> TransportError,
) -> impl tower::Service<
    http::Request<Bytes>,
    Response = http::Response<Bytes>,
    Error = TransportError,
    Future: Send,
> + Clone
+ Send
+ Sync {
    tower::service_fn(move |_: http::Request<Bytes>| async move {
        Err::<http::Response<Bytes>, _>(make())
    })
}

/// What a caller can ask of an error.
fn predicates(e: &Error) -> (ErrorKind, [bool; 5], u32) {
    let asked = [
        e.is_connect(),
        e.is_timeout(),
        e.is_retryable(),
        e.is_not_sent(),
        e.is_outcome_unknown(),
    ];
    (e.kind(), asked, e.attempts())
}

/// The same calls with and without a layer that wraps errors: the same answers.
async fn same_with_and_without_a_wrapper(
    builder: fn() -> openai_invites::ClientBuilder,
    expected: ErrorKind,
) {
    let plain = builder().build().unwrap();
    let wrapping = builder()
        .layer_per_attempt(tower::util::MapErrLayer::new(|e: BoxError| Wrapped(e)))
        .build()
        .unwrap();
    for create in [false, true] {
        let call = |client: Client| async move {
            match create {
                false => client.list_invites(ListInvites::new()).await.map(drop),
                true => {
                    let request = InviteRequest::new("ana@example.com", InviteRole::Reader);
                    client.invite_user(request).await.map(drop)
                }
            }
        };
        let unwrapped = call(plain.clone()).await.unwrap_err();
        let wrapped = call(wrapping.clone()).await.unwrap_err();
        assert_eq!(unwrapped.kind(), expected, "{unwrapped}");
        assert_eq!(predicates(&wrapped), predicates(&unwrapped), "{wrapped}");
        assert!(wrapped.get_ref().unwrap().is::<Wrapped>(), "{wrapped:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_wrapped_connect_error_is_a_connect_error() {
    same_with_and_without_a_wrapper(
        || {
            Client::builder()
                .admin_key("sk-admin-test")
                .max_retries(2)
                .transport(failing(|| TransportError::connect("refused")))
        },
        ErrorKind::Connect,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_wrapped_certificate_error_is_a_certificate_error() {
    same_with_and_without_a_wrapper(
        || {
            Client::builder()
                .admin_key("sk-admin-test")
                .max_retries(2)
                .transport(failing(|| TransportError::certificate("unknown issuer")))
        },
        ErrorKind::Certificate,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_wrapped_timeout_is_a_timeout() {
    same_with_and_without_a_wrapper(
        || {
            Client::builder()
                .admin_key("sk-admin-test")
                .max_retries(2)
                .attempt_timeout(Duration::from_secs(1))
                .transport(support::never_answers())
        },
        ErrorKind::AttemptTimeout,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_read_never_leaves_the_outcome_unknown() {
    let fake = FakeInvites::new();
    // A 503, then the retry's 404: whatever the service did, a read changed nothing.
    let retrieve = Match::Operation(RetrieveInvite::META);
    fake.push_fault(Fault::status(503).apply_first().matching(retrieve));
    let client = support::in_process_builder(&fake)
        .max_retries(2)
        .build()
        .unwrap();
    let err = client.retrieve_invite("invite-missing").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    assert_eq!(err.attempts(), 2);
    assert!(!err.is_outcome_unknown(), "{err}");
    assert!(!err.to_string().contains("unknown"), "{err}");

    // A delete answered the same way is settled by the same rule: an earlier attempt may
    // have deleted it, so the 404 is success.
    let id = fake
        .seed(InviteRequest::new("bo@example.com", InviteRole::Reader))
        .id;
    let delete = Match::Operation(DeleteInvite::META);
    fake.push_fault(Fault::status(503).apply_first().matching(delete));
    client.delete_invite(&id).await.unwrap();
}

/// A layer of yours that fails once, after the request it passed on was answered: the
/// service acted, and the layer's error says nothing the client knows.
#[derive(Clone)]
struct FailsAfterSending<S> {
    inner: S,
    armed: Arc<AtomicBool>,
}

impl<S, R> Service<R> for FailsAfterSending<S>
where
    S: Service<R>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let answer = self.inner.call(request);
        let armed = self.armed.clone();
        Box::pin(async move {
            let response = answer.await.map_err(Into::into)?;
            if armed.swap(false, Ordering::SeqCst) {
                return Err("a layer of yours failed after the answer".into());
            }
            Ok(response)
        })
    }
}

fn fails_once_after_sending<S>(inner: S) -> FailsAfterSending<S> {
    FailsAfterSending {
        inner,
        armed: Arc::new(AtomicBool::new(true)),
    }
}

/// The create the fake made, as the call returned it; the fake holds it alone, and the
/// create was sent once.
fn made_once(fake: &FakeInvites, id: &str) {
    let invites = fake.invites();
    assert_eq!(invites.len(), 1);
    assert_eq!(invites[0].id, id);
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == http::Method::POST)
        .count();
    assert_eq!(posts, 1, "never re-sent blind");
}

#[tokio::test(start_paused = true)]
async fn a_layer_failing_after_the_create_is_reconciled_in_the_client() {
    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .layer_per_attempt(tower::layer::layer_fn(fails_once_after_sending))
        .build()
        .unwrap();
    let invite = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap();
    made_once(&fake, &invite.id);
}

#[tokio::test(start_paused = true)]
async fn a_layer_failing_after_the_create_is_reconciled_in_a_stack_without_spans() {
    let fake = FakeInvites::new();
    // The public layers, without the spans: nothing but the retry loop knows about attempts.
    let stack = ServiceBuilder::new()
        .layer(TotalTimeoutLayer::new(Duration::from_secs(60)))
        .layer(RetryLayer::new(RetryPolicy::default()))
        .layer(AuthLayer::new(&AdminKey::new(fake.admin_key()).unwrap()).unwrap())
        .layer(tower::layer::layer_fn(fails_once_after_sending))
        .layer(AttemptTimeoutLayer::new(Duration::from_secs(5)))
        .service(fake.service());
    let create = InviteUser::new(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .encode(&BaseUrl::default())
        .unwrap();
    let response = stack.oneshot(create).await.unwrap();
    let invite = InviteUser::decode(response).unwrap();
    made_once(&fake, &invite.id);
}

#[tokio::test(start_paused = true)]
async fn a_read_with_retries_off_is_never_outcome_unknown() {
    use openai_invites::{ListInvites, RetrieveInvite};
    use openai_invites_mock::{FakeInvites, Fault};

    let fake = FakeInvites::new();
    let client = support::in_process_builder(&fake)
        .max_retries(0)
        .build()
        .unwrap();
    fake.push_fault(Fault::status(503));
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert!(!err.is_outcome_unknown(), "{err}");
    fake.push_fault(Fault::status(503));
    let err = client
        .send(RetrieveInvite::new("invite-x"))
        .await
        .unwrap_err();
    assert!(!err.is_outcome_unknown(), "{err}");
}
