//! `TransportFuture`: the response head from hyper, then its body read up to the cap.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::response::Parts;
use http_body_util::combinators::Collect;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::ResponseFuture;
use openai_invites_core::headers;
use pin_project_lite::pin_project;

use super::{ResponseTooLarge, TransportError};
use crate::BoxError;

pin_project! {
    /// The future of [`HyperTransport`](super::HyperTransport). Named rather than boxed: it
    /// lives inline in the caller's future, so an attempt allocates nothing of its own.
    pub struct TransportFuture {
        #[pin]
        state: State,
        limit: usize,
    }
}

pin_project! {
    #[project = StateProj]
    enum State {
        Head { #[pin] pending: ResponseFuture },
        Body { parts: Option<Parts>, #[pin] body: Collect<Limited<Incoming>> },
    }
}

impl TransportFuture {
    pub(super) fn new(pending: ResponseFuture, limit: usize) -> Self {
        Self {
            state: State::Head { pending },
            limit,
        }
    }
}

impl Future for TransportFuture {
    type Output = Result<http::Response<Bytes>, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Head { pending } => {
                    let response = ready!(pending.poll(cx)).map_err(send_error)?;
                    let (parts, body) = response.into_parts();
                    let declared = parts
                        .headers
                        .get(http::header::CONTENT_LENGTH)
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                    if declared.is_some_and(|n| n > *this.limit as u64) {
                        return Poll::Ready(Err(too_large(&parts, *this.limit)));
                    }
                    let body = Limited::new(body, *this.limit).collect();
                    this.state.set(State::Body {
                        parts: Some(parts),
                        body,
                    });
                }
                StateProj::Body { parts, body } => {
                    let collected = ready!(body.poll(cx));
                    let Some(parts) = parts.take() else {
                        // Only reachable by polling again after completion.
                        return Poll::Ready(Err("transport future polled after completion".into()));
                    };
                    return Poll::Ready(match collected {
                        Ok(body) => Ok(http::Response::from_parts(parts, body.to_bytes())),
                        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                            Err(too_large(&parts, *this.limit))
                        }
                        Err(e) => Err(Box::new(TransportError::after_send(e))),
                    });
                }
            }
        }
    }
}

fn send_error(error: hyper_util::client::legacy::Error) -> BoxError {
    if error.is_connect() || never_written(&error) {
        Box::new(TransportError::connect(error))
    } else {
        Box::new(TransportError::after_send(error))
    }
}

/// hyper reports a request it dropped before writing it (the pooled connection closed first,
/// and hyper-util's own retry of such requests failed too) as canceled: nothing was sent.
fn never_written(error: &hyper_util::client::legacy::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if inner
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            return true;
        }
        source = inner.source();
    }
    false
}

fn too_large(parts: &Parts, limit: usize) -> BoxError {
    Box::new(ResponseTooLarge {
        status: parts.status,
        request_id: headers::request_id(&parts.headers).map(str::to_owned),
        limit,
    })
}
