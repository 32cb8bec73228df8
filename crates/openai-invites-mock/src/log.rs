//! The request log: what every attempt looked like when it arrived, for assertions.
//!
//! Bounded three ways, so a fake that runs for hours or is fed garbage cannot take its host
//! down: at most [`MAX_RECORDED_REQUESTS`] entries, at most [`DEFAULT_MAX_LOGGED_BODY_BYTES`]
//! of each body, at most [`DEFAULT_MAX_LOG_BYTES`] in all (the oldest entries go first). An
//! unauthenticated request keeps no body at all.

use std::collections::VecDeque;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use tokio::time::Instant;

/// At most this many requests are kept (the oldest are forgotten first), so a long-running
/// fake never grows without bound; [`FakeInvites::request_count`](crate::FakeInvites::request_count)
/// still counts them all.
pub const MAX_RECORDED_REQUESTS: usize = 10_000;
/// Default cap on the part of one request body the log keeps: 64 KiB.
pub const DEFAULT_MAX_LOGGED_BODY_BYTES: usize = 64 * 1024;
/// Default cap on the whole log, counted as path, query, headers and kept bodies plus a fixed
/// cost per entry: 64 MiB.
pub const DEFAULT_MAX_LOG_BYTES: usize = 64 * 1024 * 1024;

/// What one entry costs besides its text (the struct, the map, the queue slot).
const ENTRY_OVERHEAD: usize = 256;
/// What one header costs besides its name and value.
const HEADER_OVERHEAD: usize = 32;

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The path as sent (still percent-encoded), e.g. `/v1/organization/invites/invite-abc`.
    pub path: String,
    /// The raw query string, if any, e.g. `limit=2&after=invite-abc`.
    pub query: Option<String>,
    /// The headers, with `authorization` and `proxy-authorization` redacted (e.g.
    /// `Bearer sk-a...[redacted]`).
    pub headers: HeaderMap,
    /// The body as kept: at most the log's per-body cap (default
    /// [`DEFAULT_MAX_LOGGED_BODY_BYTES`]); empty when the request was not authenticated or its
    /// body was over the size cap; secrets replaced by `[redacted]`.
    pub body: Bytes,
    /// How many body bytes the request had (for a body over the size cap: its
    /// `content-length`, else one more than the cap).
    pub body_len: usize,
    /// Whether [`body`](Self::body) is shorter than what was sent (cut at the cap, or not kept).
    pub body_truncated: bool,
    /// When it arrived, on tokio's clock: under paused time the gaps between attempts are the
    /// client's backoff.
    pub at: Instant,
    /// The scripted fault applied to it, described (e.g. `status 503`, `drop connection
    /// (applied first)`).
    pub fault: Option<String>,
    /// The operation its method and path name (`listInvites`, `inviteUser`, `retrieveInvite`,
    /// `deleteInvite`), if any.
    pub operation: Option<&'static str>,
    /// The status the fake answered with (a scripted fault's included); `None` while it is
    /// still being answered, or when it was not answered (a dropped connection).
    pub status: Option<StatusCode>,
}

impl RecordedRequest {
    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

/// The log's caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogLimits {
    pub(crate) body_bytes: usize,
    pub(crate) total_bytes: usize,
}

impl Default for LogLimits {
    fn default() -> Self {
        Self {
            body_bytes: DEFAULT_MAX_LOGGED_BODY_BYTES,
            total_bytes: DEFAULT_MAX_LOG_BYTES,
        }
    }
}

/// The bounded log.
#[derive(Debug)]
pub(crate) struct RequestLog {
    /// Each entry with its weight and its number.
    entries: VecDeque<(RecordedRequest, usize, usize)>,
    bytes: usize,
    total: usize,
    /// The next entry's number: never reset, so that an answer that comes after a `clear`
    /// cannot be noted on a later request.
    next_number: usize,
    limits: LogLimits,
}

impl RequestLog {
    pub(crate) fn new(limits: LogLimits) -> Self {
        Self {
            entries: VecDeque::new(),
            bytes: 0,
            total: 0,
            next_number: 0,
            limits,
        }
    }

    pub(crate) fn limits(&self) -> LogLimits {
        self.limits
    }

    /// Keeps `request`, forgetting the oldest entries while over a cap. A single entry larger
    /// than the whole budget (only possible with caps set below a request's headers) is kept
    /// alone. Returns its number, for [`answered`](Self::answered).
    pub(crate) fn record(&mut self, request: RecordedRequest) -> usize {
        let weight = weight(&request);
        let number = self.next_number;
        self.next_number += 1;
        self.entries.push_back((request, weight, number));
        self.bytes += weight;
        self.total += 1;
        while self.entries.len() > 1
            && (self.entries.len() > MAX_RECORDED_REQUESTS || self.bytes > self.limits.total_bytes)
        {
            if let Some((_, w, _)) = self.entries.pop_front() {
                self.bytes -= w;
            }
        }
        number
    }

    /// Notes the status request `number` was answered with (if it is still kept).
    pub(crate) fn answered(&mut self, number: usize, status: StatusCode) {
        // Numbers grow from the front: the entry is found by its offset from the first.
        let Some(first) = self.entries.front().map(|(_, _, n)| *n) else {
            return;
        };
        let Some(at) = number.checked_sub(first) else {
            return;
        };
        if let Some((request, _, n)) = self.entries.get_mut(at) {
            if *n == number {
                request.status = Some(status);
            }
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(|(r, _, _)| r.clone()).collect()
    }

    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// The bytes the kept entries count for.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.total = 0;
    }
}

/// What an entry counts for against the total cap.
fn weight(r: &RecordedRequest) -> usize {
    let headers: usize = r
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + HEADER_OVERHEAD)
        .sum();
    ENTRY_OVERHEAD
        + r.path.len()
        + r.query.as_ref().map_or(0, String::len)
        + headers
        + r.body.len()
        + r.fault.as_ref().map_or(0, String::len)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn entry(body: usize) -> RecordedRequest {
        RecordedRequest {
            method: Method::POST,
            path: "/v1/organization/invites".into(),
            query: None,
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; body]),
            body_len: body,
            body_truncated: false,
            at: Instant::now(),
            fault: None,
            operation: Some("inviteUser"),
            status: None,
        }
    }

    #[test]
    fn the_total_cap_forgets_the_oldest_first() {
        let mut log = RequestLog::new(LogLimits {
            body_bytes: 1000,
            total_bytes: 10_000,
        });
        for _ in 0..100 {
            log.record(entry(1000));
            assert!(log.bytes() <= 10_000, "{}", log.bytes());
        }
        assert_eq!(log.total(), 100);
        let kept = log.snapshot().len();
        assert!((5..=9).contains(&kept), "{kept}");
        assert_eq!(log.bytes(), kept * weight(&entry(1000)));
        log.clear();
        assert_eq!((log.bytes(), log.total()), (0, 0));
    }

    #[test]
    fn an_entry_over_the_whole_budget_is_kept_alone() {
        let mut log = RequestLog::new(LogLimits {
            body_bytes: 10,
            total_bytes: 100,
        });
        log.record(entry(10));
        log.record(entry(500));
        assert_eq!(log.snapshot().len(), 1);
        assert_eq!(log.snapshot()[0].body.len(), 500);
    }

    #[test]
    fn the_status_goes_to_its_entry_while_it_is_kept() {
        let mut log = RequestLog::new(LogLimits::default());
        let first = log.record(entry(0));
        let second = log.record(entry(0));
        log.answered(second, StatusCode::TOO_MANY_REQUESTS);
        let statuses: Vec<_> = log.snapshot().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [None, Some(StatusCode::TOO_MANY_REQUESTS)]);
        log.answered(first, StatusCode::OK);
        assert_eq!(log.snapshot()[0].status, Some(StatusCode::OK));
        // Forgotten or cleared: nothing to note, nothing breaks.
        log.clear();
        log.answered(first, StatusCode::OK);
        let third = log.record(entry(0));
        log.answered(first, StatusCode::OK);
        assert_eq!(log.snapshot()[0].status, None);
        log.answered(third, StatusCode::CREATED);
        assert_eq!(log.snapshot()[0].status, Some(StatusCode::CREATED));
    }

    #[test]
    fn the_count_cap_still_holds() {
        let mut log = RequestLog::new(LogLimits::default());
        for _ in 0..MAX_RECORDED_REQUESTS + 5 {
            log.record(entry(0));
        }
        assert_eq!(log.snapshot().len(), MAX_RECORDED_REQUESTS);
    }
}
