//! What a connection has been doing, and the watchdog that closes it when it stalls.
//!
//! The socket is wrapped so every read and write is seen; the request handler marks when a
//! request is in flight. From that the watchdog knows three states:
//!
//! - **idle** (nothing in flight, no bytes since the last answer): closed after the idle
//!   timeout;
//! - **reading a head** (bytes arrived while idle, no request parsed yet): closed when the head
//!   is not complete within the header-read timeout, however slowly bytes trickle in;
//! - **in flight**: never closed here (the body-read timeout and scripted delays are the
//!   request's own business).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// `head_started_ms` when no head is being read.
const NO_HEAD: u64 = u64::MAX;

/// The connection's timeouts, as the watchdog applies them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timeouts {
    pub(super) header_read: Duration,
    pub(super) idle: Duration,
}

/// Shared between the socket wrapper, the request handler and the watchdog.
#[derive(Debug)]
pub(super) struct Activity {
    epoch: Instant,
    last_io_ms: AtomicU64,
    head_started_ms: AtomicU64,
    in_flight: AtomicUsize,
    head_began: Notify,
}

impl Activity {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self {
            epoch: Instant::now(),
            last_io_ms: AtomicU64::new(0),
            head_started_ms: AtomicU64::new(NO_HEAD),
            in_flight: AtomicUsize::new(0),
            head_began: Notify::new(),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(NO_HEAD - 1)
    }

    fn saw_read(&self) {
        let now = self.now_ms();
        self.last_io_ms.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Acquire) == 0
            && self
                .head_started_ms
                .compare_exchange(NO_HEAD, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            // The header-read deadline may be earlier than the one the watchdog sleeps on.
            self.head_began.notify_one();
        }
    }

    fn saw_write(&self) {
        self.last_io_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Marks a request in flight until the guard is dropped.
    pub(super) fn request_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_started_ms.store(NO_HEAD, Ordering::Release);
        InFlight(self.clone())
    }

    /// When the connection should be closed as things stand, if at all.
    fn deadline_ms(&self, timeouts: Timeouts) -> Option<u64> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(NO_HEAD / 2);
        match self.head_started_ms.load(Ordering::Acquire) {
            NO_HEAD => Some(
                self.last_io_ms
                    .load(Ordering::Relaxed)
                    .saturating_add(millis(timeouts.idle)),
            ),
            head => Some(head.saturating_add(millis(timeouts.header_read))),
        }
    }

    /// Resolves when the connection has been idle, or reading one head, for too long.
    pub(super) async fn stalled(&self, timeouts: Timeouts) {
        // While a request is in flight there is no deadline; look again this often.
        let recheck = timeouts
            .idle
            .min(timeouts.header_read)
            .max(Duration::from_millis(10));
        loop {
            let now = self.now_ms();
            let wake = match self.deadline_ms(timeouts) {
                Some(deadline) if deadline <= now => return,
                Some(deadline) => self.epoch + Duration::from_millis(deadline),
                None => Instant::now() + recheck,
            };
            tokio::select! {
                () = tokio::time::sleep_until(wake) => {}
                () = self.head_began.notified() => {}
            }
        }
    }
}

/// A request in flight; dropping it makes the connection idle again (from now).
pub(super) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.saw_write();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A socket that reports its reads and writes to an [`Activity`].
pub(super) struct Watched<T> {
    io: T,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    pub(super) fn new(io: T, activity: Arc<Activity>) -> Self {
        Self { io, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.saw_read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.saw_write();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.saw_write();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const TIMEOUTS: Timeouts = Timeouts {
        header_read: Duration::from_secs(2),
        idle: Duration::from_secs(10),
    };

    #[tokio::test(start_paused = true)]
    async fn idle_connections_stall_after_the_idle_timeout() {
        let activity = Activity::new();
        let started = Instant::now();
        activity.stalled(TIMEOUTS).await;
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickled_head_stalls_after_the_header_read_timeout() {
        let activity = Activity::new();
        let started = Instant::now();
        let trickle = {
            let activity = activity.clone();
            async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                loop {
                    activity.saw_read();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        tokio::select! {
            () = activity.stalled(TIMEOUTS) => {}
            () = trickle => unreachable!(),
        }
        // 5 s idle, then the head's 2 s: the trickle never resets the head's deadline.
        assert_eq!(started.elapsed(), Duration::from_secs(7));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_never_stalls_and_idles_afterwards() {
        let activity = Activity::new();
        let started = Instant::now();
        let guard = activity.request_started();
        let release = async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(guard);
            std::future::pending::<()>().await;
        };
        tokio::select! {
            () = activity.stalled(TIMEOUTS) => {}
            () = release => unreachable!(),
        }
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_secs(70) && elapsed <= Duration::from_secs(73),
            "{elapsed:?}"
        );
    }
}
