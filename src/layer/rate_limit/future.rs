//! `RateLimitFuture`: the attempt once admitted, then the 429 cooldown it may report.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use pin_project_lite::pin_project;

use super::ticket::Ticket;
use super::{LimiterFuture, RateLimitLayer};
use crate::BoxError;
use crate::failure::{Failure, ResponseFacts};

type Admitting<F> = Pin<Box<dyn Future<Output = Result<(F, Option<Ticket>), BoxError>> + Send>>;

pin_project! {
    /// The future of [`RateLimit`](super::RateLimit).
    pub struct RateLimitFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // Waiting for a permit (boxed: the common case never waits), then the attempt.
        Admitting { admitting: Admitting<F>, layer: Option<RateLimitLayer> },
        // The attempt is in flight; `layer` reads its answer for a 429 hint; `ticket` tells a
        // limiter that learns from answers how it ended.
        Calling { #[pin] future: F, layer: Option<RateLimitLayer>, ticket: Option<Ticket> },
        // A 429 asked every caller to pause: tell the limiter, then hand the answer up.
        CoolingDown { cooling: LimiterFuture<()>, response: Option<http::Response<Bytes>> },
        // The limiter failed before the attempt.
        Failed { error: Option<BoxError> },
    }
}

impl<F> RateLimitFuture<F> {
    pub(super) fn calling(future: F, layer: RateLimitLayer, ticket: Option<Ticket>) -> Self {
        Self {
            state: State::Calling {
                future,
                layer: Some(layer),
                ticket,
            },
        }
    }

    pub(super) fn admitting(
        admitting: impl Future<Output = Result<(F, Option<Ticket>), BoxError>> + Send + 'static,
        layer: RateLimitLayer,
    ) -> Self {
        Self {
            state: State::Admitting {
                admitting: Box::pin(admitting),
                layer: Some(layer),
            },
        }
    }

    pub(super) fn failed(error: BoxError) -> Self {
        Self {
            state: State::Failed { error: Some(error) },
        }
    }
}

impl<F, E> Future for RateLimitFuture<F>
where
    F: Future<Output = Result<http::Response<Bytes>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<http::Response<Bytes>, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Admitting { admitting, layer } => {
                    let (future, ticket) = ready!(admitting.as_mut().poll(cx))?;
                    let layer = layer.take();
                    state.set(State::Calling {
                        future,
                        layer,
                        ticket,
                    });
                }
                StateProj::Calling {
                    future,
                    layer,
                    ticket,
                } => {
                    let answer = ready!(future.poll(cx)).map_err(Into::into);
                    if let Some(ticket) = ticket.take() {
                        ticket.end(answer.as_ref().ok().map(http::Response::headers));
                    }
                    let mut response = answer?;
                    let Some(layer) = layer.take() else {
                        return Poll::Ready(Ok(response));
                    };
                    let Some(mut cooling) = cool_down(&layer, &mut response) else {
                        return Poll::Ready(Ok(response));
                    };
                    match cooling.take_ready() {
                        Some(told) => {
                            report(told);
                            return Poll::Ready(Ok(response));
                        }
                        None => state.set(State::CoolingDown {
                            cooling,
                            response: Some(response),
                        }),
                    }
                }
                StateProj::CoolingDown { cooling, response } => {
                    report(ready!(Pin::new(cooling).poll(cx)));
                    return match response.take() {
                        Some(response) => Poll::Ready(Ok(response)),
                        None => {
                            Poll::Ready(Err("rate-limit future polled after completion".into()))
                        }
                    };
                }
                StateProj::Failed { error } => {
                    return Poll::Ready(Err(error
                        .take()
                        .unwrap_or_else(|| "rate-limit future polled after completion".into())));
                }
            }
        }
    }
}

/// A 429 with a retry hint pauses every caller (not an out-of-quota 429: waiting will not help
/// that one, and it should not hold up the others).
fn cool_down(
    layer: &RateLimitLayer,
    response: &mut http::Response<Bytes>,
) -> Option<LimiterFuture<()>> {
    let facts = ResponseFacts::of(response)?;
    if facts.failure != Failure::RateLimited {
        return None;
    }
    let pause = layer.cap(facts.retry_after?);
    layer.metrics().cooldown();
    tracing::debug!(
        pause_ms = pause.as_millis() as u64,
        "429: pausing every caller"
    );
    Some(layer.limiter().cool_down(pause))
}

fn report(told: Result<(), super::LimiterUnavailable>) {
    if let Err(error) = told {
        tracing::warn!(%error, "could not share a 429 cooldown with the rate limiter");
    }
}
