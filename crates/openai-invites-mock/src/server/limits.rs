//! How many connections the server holds at once: the configured cap, lowered to fit the
//! process's open-file limit, and the few over it that are told so.

use std::future::Future;

use tokio::sync::watch;

/// File descriptors kept back from connections: standard streams, the runtime's own (its poll
/// and waker, the signal pipe), the listener, a seed file being read, and connections still
/// closing while new ones are accepted.
pub(super) const RESERVED_FDS: usize = 16;
/// Connections over the cap that are answered 503 at most at once.
const REFUSAL_SLOTS: usize = 64;

/// The caps one server works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Caps {
    /// Connections served at once.
    pub(super) serving: usize,
    /// Connections over that, each waiting for its request to answer it 503.
    pub(super) refusing: usize,
}

impl Caps {
    /// The caps for `max_connections` within an open-file limit of `limit` (none: unbounded).
    /// A quarter of what the limit leaves (at most [`REFUSAL_SLOTS`]) goes to refusals, so
    /// that one more connection is always answered, never left to time out for want of a
    /// descriptor.
    pub(super) fn new(max_connections: usize, limit: Option<usize>) -> Self {
        let budget = limit.map_or(usize::MAX, |n| n.saturating_sub(RESERVED_FDS).max(2));
        let refusing = REFUSAL_SLOTS.min(budget / 4).max(1);
        let serving = max_connections.min(budget - refusing).max(1);
        Self { serving, refusing }
    }

    /// The caps for `max_connections` in this process.
    pub(super) fn for_process(max_connections: usize) -> Self {
        Self::new(max_connections, open_files_limit())
    }
}

/// The soft limit on open files (`RLIMIT_NOFILE`), if the platform has one.
#[cfg(unix)]
fn open_files_limit() -> Option<usize> {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    limit.current.and_then(|n| usize::try_from(n).ok())
}

#[cfg(not(unix))]
fn open_files_limit() -> Option<usize> {
    None
}

/// Numbers the refused connections; each is evicted once [`Caps::refusing`] newer ones have
/// arrived, so the newest are the ones answered (an idle one gives way to one that asks).
#[derive(Debug)]
pub(super) struct Refusals {
    count: watch::Sender<u64>,
    slots: u64,
}

impl Refusals {
    pub(super) fn new(slots: usize) -> Self {
        Self {
            count: watch::Sender::new(0),
            slots: u64::try_from(slots).unwrap_or(u64::MAX),
        }
    }

    /// Takes one more refused connection in; the future resolves when it must give way.
    pub(super) fn admit(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut turn = 0;
        self.count.send_modify(|count| {
            *count += 1;
            turn = *count;
        });
        let (mut count, slots) = (self.count.subscribe(), self.slots);
        async move {
            if count.wait_for(|n| n - turn >= slots).await.is_err() {
                // The server is gone; its task ends the connection.
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_cap_fits_the_file_limit() {
        assert_eq!(
            Caps::new(512, None),
            Caps {
                serving: 512,
                refusing: 64
            }
        );
        assert_eq!(
            Caps::new(512, Some(1024)),
            Caps {
                serving: 512,
                refusing: 64
            }
        );
        // 64 descriptors: 48 left, 12 of them for refusals.
        assert_eq!(
            Caps::new(512, Some(64)),
            Caps {
                serving: 36,
                refusing: 12
            }
        );
        assert_eq!(
            Caps::new(512, Some(3)),
            Caps {
                serving: 1,
                refusing: 1
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_oldest_refusal_gives_way() {
        let refusals = Refusals::new(2);
        let first = tokio::spawn(refusals.admit());
        let second = tokio::spawn(refusals.admit());
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(!first.is_finished());
        let _third = refusals.admit();
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(first.is_finished(), "the oldest was evicted");
        assert!(!second.is_finished());
    }
}
