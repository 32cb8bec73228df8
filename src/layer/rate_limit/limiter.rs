//! `RateLimiter`: what the rate-limit layer asks of a limiter backend, in process or remote.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::BoxError;

/// A request-rate limiter shared by every clone of a client (and, for a remote backend, by
/// every process that uses the same store).
///
/// The rate-limit layer asks for one permit before every attempt and reports every 429 that
/// carries a retry hint. Both answers are [`LimiterFuture`]s, so an implementation may answer
/// at once (the in-process [`GovernorLimiter`](super::GovernorLimiter) does, without
/// allocating) or after a round trip to a remote store (one per permit).
///
/// The contract:
/// - [`acquire`](Self::acquire) answers [`Admission::Granted`] when it took one permit for
///   this attempt, or [`Admission::Wait`] when none is free: nothing was taken, and the layer
///   asks again after that wait (or fails the call at once, with nothing sent, when the wait
///   would outlast the call's deadline). The layer asks through
///   [`acquire_within`](Self::acquire_within), which tells a limiter how long the caller can
///   wait; it defaults to `acquire`.
/// - A call dropped while its `acquire` is pending takes no permit from the
///   [`GovernorLimiter`](super::GovernorLimiter). A limiter that reserves slots (the
///   [`PacedLimiter`](super::PacedLimiter), the Redis one) leaves the dropped caller's slot
///   unused, and a remote store may already have counted a permit whose answer never
///   arrived: either is spent, never granted twice.
/// - [`cool_down`](Self::cool_down) holds every caller for `pause` from now, never shortening
///   a longer pause already in place. The layer caps `pause` before calling it.
/// - [`LimiterUnavailable`] means the limiter could not answer (its store is down or slow).
///   From `acquire`, the call fails with [`ErrorKind::LimiterUnavailable`] and nothing is sent;
///   a backend that prefers to fall back or to let calls through decides that itself and
///   answers normally. From `cool_down` it is logged and the response goes on to the caller.
/// - A limiter that [`learns_from_answers`](Self::learns_from_answers) is told, once per
///   attempt it granted, how that attempt ended ([`attempt_ended`](Self::attempt_ended)):
///   the service's answer, or none. Others are never told, and cost nothing more per call.
/// - No method may block the thread: wait inside the returned future.
///
/// [`ErrorKind::LimiterUnavailable`]: crate::ErrorKind::LimiterUnavailable
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::time::Duration;
/// use openai_invites::layer::rate_limit::{Admission, LimiterFuture, RateLimiter};
///
/// /// Grants `left` permits, then asks callers to wait a second.
/// struct Allowance { left: AtomicU32 }
///
/// impl RateLimiter for Allowance {
///     fn acquire(&self) -> LimiterFuture<Admission> {
///         let granted = self.left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
///         LimiterFuture::ready(Ok(match granted {
///             Ok(_) => Admission::Granted,
///             Err(_) => Admission::Wait(Duration::from_secs(1)),
///         }))
///     }
///
///     fn cool_down(&self, _pause: Duration) -> LimiterFuture<()> {
///         LimiterFuture::ready(Ok(()))
///     }
/// }
///
/// let client = openai_invites::Client::builder()
///     .admin_key("sk-admin-example")
///     .rate_limiter(Allowance { left: AtomicU32::new(100) })
///     .build()?;
/// # let _ = client;
/// # Ok::<(), openai_invites::BuildError>(())
/// ```
pub trait RateLimiter: Send + Sync + 'static {
    /// Asks for one permit for one attempt.
    fn acquire(&self) -> LimiterFuture<Admission>;

    /// Asks for one permit for an attempt whose call has `left` before its deadline (`None`:
    /// no deadline). What the rate-limit layer calls. A limiter that reserves a future slot
    /// (rather than answering "wait, then ask again") overrides it so as not to reserve one
    /// the caller cannot wait for: it answers [`Admission::Wait`] longer than `left`, having
    /// reserved nothing, and the layer fails the call with nothing sent. The default asks
    /// [`acquire`](Self::acquire).
    fn acquire_within(&self, left: Option<Duration>) -> LimiterFuture<Admission> {
        let _ = left;
        self.acquire()
    }

    /// The service answered 429 with a retry hint: hold every caller for `pause` from now.
    fn cool_down(&self, pause: Duration) -> LimiterFuture<()>;

    /// Whether the layer should tell this limiter how each attempt it granted ended
    /// ([`attempt_ended`](Self::attempt_ended)). Asked once, when the layer is made. Default
    /// `false`.
    fn learns_from_answers(&self) -> bool {
        false
    }

    /// An attempt this limiter granted has ended: with the headers of the service's answer
    /// (any status), or `None` when no answer came (a transport error, a timeout, the call
    /// dropped). Called exactly once per granted attempt, on the caller's task, and only when
    /// [`learns_from_answers`](Self::learns_from_answers); it must not block. The
    /// [`AdaptiveLimiter`](super::AdaptiveLimiter) reads the service's `x-ratelimit-*`
    /// headers here.
    fn attempt_ended(&self, answer: Option<&http::HeaderMap>) {
        let _ = answer;
    }

    /// How many times this limiter's store has failed so far (a monotonic count; 0 for a
    /// limiter with no store). A backend that falls back when its store is down still counts
    /// each failure here, so that metrics can show the outage.
    fn store_failures(&self) -> u64 {
        0
    }
}

/// A limiter's answer to one request for a permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// One permit was taken: the attempt may go.
    Granted,
    /// No permit is free: nothing was taken; ask again after this wait.
    Wait(Duration),
}

/// The limiter could not answer: its store is unreachable, slow, or refused the request.
#[derive(Debug, thiserror::Error)]
#[error("the rate limiter is unavailable: {source}")]
pub struct LimiterUnavailable {
    #[source]
    source: BoxError,
}

impl LimiterUnavailable {
    /// Wraps why the limiter could not answer.
    pub fn new(source: impl Into<BoxError>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

type Pending<T> = Pin<Box<dyn Future<Output = Result<T, LimiterUnavailable>> + Send>>;

/// The answer of a [`RateLimiter`]: ready at once ([`ready`](Self::ready), no allocation), or
/// after some I/O ([`later`](Self::later), one boxed future).
#[must_use = "futures do nothing unless polled"]
pub struct LimiterFuture<T> {
    state: State<T>,
}

enum State<T> {
    Ready(Option<Result<T, LimiterUnavailable>>),
    Later(Pending<T>),
}

impl<T> LimiterFuture<T> {
    /// An answer known now.
    pub fn ready(answer: Result<T, LimiterUnavailable>) -> Self {
        Self {
            state: State::Ready(Some(answer)),
        }
    }

    /// An answer that needs I/O first.
    pub fn later(
        answer: impl Future<Output = Result<T, LimiterUnavailable>> + Send + 'static,
    ) -> Self {
        Self {
            state: State::Later(Box::pin(answer)),
        }
    }

    /// Takes the answer if it is known without polling; leaves a pending answer in place.
    pub(crate) fn take_ready(&mut self) -> Option<Result<T, LimiterUnavailable>> {
        match &mut self.state {
            State::Ready(answer) => answer.take(),
            State::Later(_) => None,
        }
    }
}

// Neither state is structurally pinned: the pending future is boxed.
impl<T> Unpin for LimiterFuture<T> {}

impl<T> Future for LimiterFuture<T> {
    type Output = Result<T, LimiterUnavailable>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Ready(answer) => match answer.take() {
                Some(answer) => Poll::Ready(answer),
                None => panic!("`LimiterFuture` polled after completion"),
            },
            State::Later(pending) => pending.as_mut().poll(cx),
        }
    }
}

impl<T> fmt::Debug for LimiterFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready(Some(_)) => "ready",
            State::Ready(None) => "done",
            State::Later(_) => "pending",
        };
        f.debug_struct("LimiterFuture")
            .field("state", &state)
            .finish()
    }
}
