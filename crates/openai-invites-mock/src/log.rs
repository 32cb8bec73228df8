//! The request log: what every attempt looked like when it arrived, for assertions.

use std::collections::VecDeque;

use bytes::Bytes;
use http::{HeaderMap, Method};
use tokio::time::Instant;

/// At most this many requests are kept (the oldest are forgotten first), so a long-running
/// fake never grows without bound; [`FakeInvites::request_count`](crate::FakeInvites::request_count)
/// still counts them all.
pub const MAX_RECORDED_REQUESTS: usize = 10_000;

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
    /// The body (empty when it was over the size cap).
    pub body: Bytes,
    /// When it arrived, on tokio's clock: under paused time the gaps between attempts are the
    /// client's backoff.
    pub at: Instant,
    /// The scripted fault applied to it, described (e.g. `status 503`, `drop connection
    /// (applied first)`).
    pub fault: Option<String>,
    /// The operation its method and path name (`listInvites`, `inviteUser`, `retrieveInvite`,
    /// `deleteInvite`), if any.
    pub operation: Option<&'static str>,
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

/// The bounded log.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<RecordedRequest>,
    total: usize,
}

impl RequestLog {
    pub(crate) fn record(&mut self, request: RecordedRequest) {
        if self.entries.len() >= MAX_RECORDED_REQUESTS {
            self.entries.pop_front();
        }
        self.entries.push_back(request);
        self.total += 1;
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn total(&self) -> usize {
        self.total
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.total = 0;
    }
}
