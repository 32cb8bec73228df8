//! The in-process face: a `tower::Service` over the fake, for use as a client's transport.
//!
//! No sockets: a request goes straight to the same reception the loopback server uses, so
//! everything but the wire itself (faults, log, quota, delays) behaves the same.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;

use crate::control;
use crate::fake::{FakeInvites, Inner};
use crate::received::Received;
use crate::reception::{Disposition, receive};

impl FakeInvites {
    /// The in-process face: a `tower::Service` to use as a client's transport.
    pub fn service(&self) -> FakeService {
        FakeService::new(self.inner.clone())
    }
}

/// Why the in-process face gave no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// A [`Fault::drop_connection`](crate::Fault::drop_connection) fired. The request counts as
    /// delivered (it is logged, and changed the store if the fault was `apply_first`): the
    /// caller cannot know whether it took effect, as after a connection reset.
    #[error("the fake invites service dropped the connection without answering (scripted fault)")]
    ConnectionDropped,
}

/// The fake as a `tower::Service<http::Request<Bytes>>`; always ready, cheap to clone.
///
/// A body over the size cap is answered 413, as the server does.
#[derive(Clone)]
pub struct FakeService {
    inner: Arc<Inner>,
}

impl FakeService {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for FakeService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeService").finish_non_exhaustive()
    }
}

impl tower_service::Service<http::Request<Bytes>> for FakeService {
    type Response = http::Response<Bytes>;
    type Error = FakeError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let inner = self.inner.clone();
        let (parts, body) = request.into_parts();
        let cap = body_cap(&inner, &parts.uri);
        let received = Received {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body_len: body.len(),
            body: (body.len() <= cap).then_some(body),
        };
        ResponseFuture {
            inner: Box::pin(async move {
                match receive(inner, received).await {
                    Disposition::Respond(response) => Ok(response),
                    Disposition::HangUp => Err(FakeError::ConnectionDropped),
                }
            }),
        }
    }
}

/// The largest body the fake takes for this path: the control API takes larger ones (seeds).
pub(crate) fn body_cap(inner: &Inner, uri: &http::Uri) -> usize {
    if control::owns(uri.path()) {
        control::MAX_CONTROL_BODY_BYTES
    } else {
        inner.max_body_bytes
    }
}

/// The future of [`FakeService`]'s answer (`Send + 'static`).
pub struct ResponseFuture {
    inner: Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, FakeError>> + Send>>,
}

impl Future for ResponseFuture {
    type Output = Result<http::Response<Bytes>, FakeError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
