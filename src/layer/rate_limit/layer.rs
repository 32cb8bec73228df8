//! `RateLimitLayer`: wait for a permit before each attempt; report 429 hints as cooldowns.

use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tower_layer::Layer;
use tower_service::Service;

use super::ticket::Ticket;
use super::{Admission, RateLimitFuture, RateLimiter};
use crate::layer::Deadline;
use crate::layer::context::CallContext;
use crate::layer::metrics::Recorder;
use crate::{BoxError, defaults};

/// The rate limiter would hold this call longer than it has left: it failed at once, and
/// nothing was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the rate limiter holds calls for {wait:?}, longer than the {left:?} this call has left")]
pub struct Throttled {
    /// How long the limiter asked to wait (a 429 cooldown, or the local rate).
    pub wait: Duration,
    /// What was left of the call's time.
    pub left: Duration,
}

/// Applies a shared [`RateLimiter`] to every attempt, and turns each 429 that carries a retry
/// hint into a cooldown for every caller.
///
/// An attempt counts from when this layer admits it to the layers below: one still waiting
/// for its permit when the call runs out of time was never sent, so the call's error counts
/// no attempt for it and is not "outcome unknown". (In a stack of your own without this
/// layer, an attempt counts from when the retry loop hands it down.)
///
/// ```
/// use std::num::NonZeroU32;
/// use std::sync::Arc;
/// use std::time::Duration;
/// use openai_invites::layer::rate_limit::{GovernorLimiter, Quota, RateLimitLayer};
///
/// let limiter = Arc::new(GovernorLimiter::new(Quota::per_second(NonZeroU32::MIN)));
/// let layer = RateLimitLayer::new(limiter).max_cooldown(Duration::from_secs(30));
/// # let _ = layer;
/// ```
#[derive(Clone)]
pub struct RateLimitLayer {
    limiter: Arc<dyn RateLimiter>,
    /// The limiter asks to be told how each attempt ended (asked once, here).
    learns: bool,
    max_cooldown: Duration,
    recorder: Recorder,
}

impl RateLimitLayer {
    /// Limits every attempt with `limiter`; 429 cooldowns last at most
    /// [`defaults::MAX_RETRY_AFTER`].
    pub fn new(limiter: Arc<dyn RateLimiter>) -> Self {
        Self {
            learns: limiter.learns_from_answers(),
            limiter,
            max_cooldown: defaults::MAX_RETRY_AFTER,
            recorder: Recorder::default(),
        }
    }

    /// Records waits and cooldowns into the client's instruments.
    pub(crate) fn recorder(mut self, recorder: Recorder) -> Self {
        self.recorder = recorder;
        self
    }

    pub(super) fn metrics(&self) -> &Recorder {
        &self.recorder
    }

    /// Caps the pause a single 429 imposes on every caller (default
    /// [`defaults::MAX_RETRY_AFTER`]).
    pub fn max_cooldown(mut self, max: Duration) -> Self {
        self.max_cooldown = max;
        self
    }

    pub(super) fn limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.limiter
    }

    pub(super) fn cap(&self, pause: Duration) -> Duration {
        pause.min(self.max_cooldown)
    }
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("max_cooldown", &self.max_cooldown)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`RateLimitLayer`].
#[derive(Clone)]
pub struct RateLimit<S> {
    inner: S,
    layer: RateLimitLayer,
}

impl<S> fmt::Debug for RateLimit<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RateLimit { .. }")
    }
}

impl<S> Service<http::Request<Bytes>> for RateLimit<S>
where
    S: Service<http::Request<Bytes>, Response = http::Response<Bytes>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = RateLimitFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    #[inline]
    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        let deadline = Deadline::of(&request);
        let mut answer = self
            .layer
            .limiter
            .acquire_within(deadline.map(|d| d.remaining()));
        match answer.take_ready() {
            // The common case: a permit now, no allocation.
            Some(Ok(Admission::Granted)) => {
                let ticket = Ticket::of(&self.layer.limiter, self.layer.learns);
                RateLimitFuture::calling(self.inner.call(request), self.layer.clone(), ticket)
            }
            Some(Err(unavailable)) => RateLimitFuture::failed(unavailable.into()),
            // A wait, or an answer that needs I/O: the rest happens in the future, with a
            // clone that is asked for readiness once the permit is granted. The service made
            // ready for this call is dropped now, not kept: a concurrency limit of yours below
            // reserved its slot there, and holding it through the wait would starve the calls
            // that were admitted.
            first => {
                let mut inner = self.inner.clone();
                drop(std::mem::replace(&mut self.inner, inner.clone()));
                let layer = self.layer.clone();
                // Until it is admitted, a call cut short by its deadline sent nothing.
                let context = CallContext::of(&request).cloned();
                if let Some(context) = &context {
                    context.hold_attempt();
                }
                let admitted = async move {
                    let started = tokio::time::Instant::now();
                    let mut answer = match first {
                        Some(known) => known,
                        None => answer.await,
                    };
                    loop {
                        match answer? {
                            Admission::Granted => {
                                // Told how the attempt ended, even if it never goes.
                                let ticket = Ticket::of(&layer.limiter, layer.learns);
                                layer.recorder.limiter_wait(&request, started.elapsed());
                                poll_fn(|cx| inner.poll_ready(cx))
                                    .await
                                    .map_err(Into::into)?;
                                if let Some(context) = &context {
                                    context.admit_attempt();
                                }
                                return Ok((inner.call(request), ticket));
                            }
                            Admission::Wait(wait) => {
                                if let Some(left) = deadline.map(|d| d.remaining()) {
                                    if wait >= left {
                                        return Err(Throttled { wait, left }.into());
                                    }
                                }
                                // Sleeping holds no permit: dropping the call here is free.
                                tokio::time::sleep(wait).await;
                                let left = deadline.map(|d| d.remaining());
                                answer = layer.limiter.acquire_within(left).await;
                            }
                        }
                    }
                };
                RateLimitFuture::admitting(admitted, self.layer.clone())
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use openai_invites_mock::FakeInvites;

    use super::super::{Admission, LimiterFuture, RateLimiter};
    use crate::{Client, ErrorKind};

    /// Refuses any caller that cannot wait `slot`, as a reserving limiter does; records what
    /// it was told.
    struct Reserving {
        slot: Duration,
        told: Mutex<Vec<Option<Duration>>>,
    }

    // Shared with the test, which reads what it was told.
    impl RateLimiter for Arc<Reserving> {
        fn acquire(&self) -> LimiterFuture<Admission> {
            unreachable!("the layer asks with the call's time left")
        }

        fn acquire_within(&self, left: Option<Duration>) -> LimiterFuture<Admission> {
            self.told.lock().unwrap().push(left);
            let answer = match left {
                Some(left) if left <= self.slot => Admission::Wait(self.slot),
                _ => Admission::Granted,
            };
            LimiterFuture::ready(Ok(answer))
        }

        fn cool_down(&self, _pause: Duration) -> LimiterFuture<()> {
            LimiterFuture::ready(Ok(()))
        }
    }

    async fn list_with(
        total: Duration,
        slot: Duration,
    ) -> (Result<(), crate::Error>, Vec<Option<Duration>>, usize) {
        let fake = FakeInvites::new();
        let limiter = Arc::new(Reserving {
            slot,
            told: Mutex::new(Vec::new()),
        });
        let client = Client::builder()
            .admin_key(fake.admin_key())
            .transport(fake.service())
            .total_timeout(total)
            .rate_limiter(limiter.clone())
            .build()
            .unwrap();
        let result = client
            .list_invites(crate::ListInvites::new())
            .await
            .map(drop);
        let told = limiter.told.lock().unwrap().clone();
        (result, told, fake.request_count())
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_learns_how_long_the_call_has_left() {
        let (result, told, sent) = list_with(Duration::from_secs(30), Duration::from_secs(1)).await;
        result.unwrap();
        assert_eq!(sent, 1);
        let [Some(left)] = told[..] else {
            panic!("{told:?}")
        };
        assert!(
            left <= Duration::from_secs(30) && left > Duration::from_secs(29),
            "{left:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_cannot_wait_for_its_slot_is_refused_with_nothing_sent() {
        let (result, told, sent) = list_with(Duration::from_secs(2), Duration::from_secs(5)).await;
        let error = result.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(told.len(), 1, "asked once, refused at once");
        assert_eq!(sent, 0);
    }
}
