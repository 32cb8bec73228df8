//! `TransportFuture`: the response head from hyper, then its body read up to the cap.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::response::Parts;
use http_body_util::combinators::Collect;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::ResponseFuture;
use pin_project_lite::pin_project;

use super::{Phase, ResponseTooLarge, TransportError, cause};
use crate::BoxError;

pin_project! {
    /// The future of [`HyperTransport`](super::HyperTransport). Named rather than boxed: it
    /// lives inline in the caller's future, so an attempt allocates nothing of its own.
    pub struct TransportFuture {
        #[pin]
        state: State,
        limit: usize,
        proxy: Option<Arc<str>>,
        target: Target,
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
    pub(super) fn new(
        pending: ResponseFuture,
        limit: usize,
        proxy: Option<Arc<str>>,
        target: Target,
    ) -> Self {
        Self {
            state: State::Head { pending },
            limit,
            proxy,
            target,
        }
    }
}

/// The request's destination, kept for error messages (a reference-counted copy of the URI's
/// authority: nothing is formatted unless the attempt fails).
pub(super) struct Target {
    authority: Option<http::uri::Authority>,
    https: bool,
}

impl Target {
    pub(super) fn of(uri: &http::Uri) -> Self {
        Self {
            authority: uri.authority().cloned(),
            https: uri.scheme() == Some(&http::uri::Scheme::HTTPS),
        }
    }

    /// `host:port`, the port explicit or the scheme's default.
    fn describe(&self) -> Option<String> {
        let authority = self.authority.as_ref()?;
        let default = if self.https { 443 } else { 80 };
        let port = authority.port_u16().unwrap_or(default);
        Some(format!("{}:{port}", authority.host()))
    }
}

impl Future for TransportFuture {
    type Output = Result<http::Response<Bytes>, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let limit = *this.limit;
        loop {
            match this.state.as_mut().project() {
                StateProj::Head { pending } => {
                    let response = ready!(pending.poll(cx))
                        .map_err(|e| send_error(e, this.target, this.proxy.as_deref()))?;
                    let (parts, body) = response.into_parts();
                    let declared = parts
                        .headers
                        .get(http::header::CONTENT_LENGTH)
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                    if declared.is_some_and(|n| n > limit as u64) {
                        return Poll::Ready(Err(ResponseTooLarge::boxed(&parts, limit)));
                    }
                    let body = Limited::new(body, limit).collect();
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
                            Err(ResponseTooLarge::boxed(&parts, limit))
                        }
                        Err(e) => Err(Box::new(
                            TransportError::after_send(e)
                                .at(this.target.describe(), this.proxy.as_deref()),
                        )),
                    });
                }
            }
        }
    }
}

fn send_error(
    error: hyper_util::client::legacy::Error,
    target: &Target,
    proxy: Option<&str>,
) -> BoxError {
    let phase = match cause::phase(&error) {
        // Through a proxy, the client resolves only the proxy's name.
        Phase::Resolve if proxy.is_some() => Phase::Connect,
        phase => phase,
    };
    Box::new(TransportError::new(phase, error).at(target.describe(), proxy))
}
