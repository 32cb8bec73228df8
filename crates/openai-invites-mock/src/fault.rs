//! Scripted faults: what the fake does instead of (or on top of) answering normally.
//!
//! A [`Fault`] is a plain value built in one expression, queued on the handle, and consumed by
//! the next matching requests. It says how the request fails *and* whether the store saw it
//! ([`Fault::apply_first`]), because "the invite was created, then the connection dropped" is
//! exactly the ambiguous failure retry logic must be tested against.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use openai_invites_core::headers;

use crate::routes::{BASE_PATH, Route};

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Match {
    /// Every request, known route or not (the default).
    #[default]
    Any,
    /// Requests for one operation: `listInvites`, `inviteUser`, `retrieveInvite` or
    /// `deleteInvite` (derived from method and path).
    Operation(&'static str),
    /// Requests with this method whose path is this one, with or without the `/v1` base path
    /// (`/v1/organization/invites/invite-abc`, `/organization/invites/invite-abc`), or whose
    /// route has this template (`/organization/invites/{invite_id}` matches every id).
    Route(Method, String),
}

impl Match {
    /// A [`Match::Route`].
    pub fn route(method: Method, path: impl Into<String>) -> Self {
        Self::Route(method, path.into())
    }

    pub(crate) fn matches(&self, method: &Method, path: &str, route: &Route) -> bool {
        match self {
            Self::Any => true,
            Self::Operation(name) => route.operation() == Some(*name),
            Self::Route(m, p) => {
                m == method
                    && (p == path
                        || path.strip_prefix(BASE_PATH) == Some(p.as_str())
                        || route.template() == Some(p.as_str()))
            }
        }
    }
}

/// A status for [`Fault::status`]: a `StatusCode` or a number (`503`); a number that is not
/// a valid status becomes 500.
pub trait IntoStatus {
    /// The status.
    fn into_status(self) -> StatusCode;
}

impl IntoStatus for StatusCode {
    fn into_status(self) -> StatusCode {
        self
    }
}

impl IntoStatus for u16 {
    fn into_status(self) -> StatusCode {
        StatusCode::from_u16(self).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoStatus for i32 {
    fn into_status(self) -> StatusCode {
        u16::try_from(self).map_or(StatusCode::INTERNAL_SERVER_ERROR, IntoStatus::into_status)
    }
}

/// What the fault does in place of the normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Answer normally (after the delay, if any).
    Normal,
    /// Answer with this status (headers and body live on the fault).
    Status(StatusCode),
    /// Close the connection without answering.
    Drop,
    /// A 200 whose JSON body is cut short.
    Truncated,
    /// A 200 whose body is not JSON.
    Malformed,
    /// A 200 with a valid JSON body of at least this many bytes.
    Oversized(usize),
}

/// A scripted misbehaviour for the next matching request(s).
///
/// ```
/// use std::time::Duration;
/// use openai_invites_mock::{Fault, Match};
///
/// // The classic ambiguous failure: the invite is created, then the connection drops.
/// let ambiguous = Fault::drop_connection().apply_first().matching(Match::Operation("inviteUser"));
/// // Two 503s with an HTML body from a "proxy", then normal answers again.
/// let outage = Fault::html(503, "<html>upstream down</html>").times(2);
/// // A 500 that says "do not retry me".
/// let fatal = Fault::status(500).header("x-should-retry", "false");
/// // A slow answer, then a rate limit.
/// let slow_429 = Fault::rate_limited(100).after_delay(Duration::from_millis(50));
/// # let _ = (ambiguous, outage, fatal, slow_429);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(crate) action: Action,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) delay: Option<Duration>,
    pub(crate) times: usize,
    pub(crate) matcher: Match,
    pub(crate) apply_first: bool,
}

impl Fault {
    fn new(action: Action) -> Self {
        Self {
            action,
            headers: Vec::new(),
            body: None,
            delay: None,
            times: 1,
            matcher: Match::Any,
            apply_first: false,
        }
    }

    /// Answers with `status` (a `StatusCode` or a `u16`; an invalid number becomes 500). With
    /// no [`body`](Self::body), the body is an OpenAI error envelope fitting the status.
    pub fn status(status: impl IntoStatus) -> Self {
        Self::new(Action::Status(status.into_status()))
    }

    /// A 429 `rate_limit_exceeded` envelope with `retry-after-ms: <ms>` and `retry-after` (the
    /// same wait in whole seconds, rounded up).
    pub fn rate_limited(retry_after_ms: u64) -> Self {
        Self::status(StatusCode::TOO_MANY_REQUESTS)
            .header(headers::RETRY_AFTER_MS, retry_after_ms)
            .header(headers::RETRY_AFTER, retry_after_ms.div_ceil(1000))
    }

    /// Answers with `status` and an HTML body (`content-type: text/html`), as a proxy would.
    pub fn html(status: impl IntoStatus, html: impl Into<String>) -> Self {
        Self::status(status)
            .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(html.into())
    }

    /// Waits `delay`, then answers normally. Combine with other faults through
    /// [`after_delay`](Self::after_delay).
    pub fn delay(delay: Duration) -> Self {
        Self::new(Action::Normal).after_delay(delay)
    }

    /// Closes the connection without answering. In process, the service returns
    /// [`FakeError::ConnectionDropped`](crate::FakeError::ConnectionDropped).
    pub fn drop_connection() -> Self {
        Self::new(Action::Drop)
    }

    /// A 200 whose JSON body stops half way (with a `content-length` matching what is sent, so
    /// the transport succeeds and decoding fails). With [`apply_first`](Self::apply_first) it is
    /// the real answer cut in half; otherwise a cut invite.
    pub fn truncated_body() -> Self {
        Self::new(Action::Truncated)
    }

    /// A 200 with `content-type: application/json` whose body is not JSON.
    pub fn malformed_json() -> Self {
        Self::new(Action::Malformed)
    }

    /// A 200 with a valid JSON body of at least `bytes` bytes, to test a client's body cap.
    pub fn oversized_body(bytes: usize) -> Self {
        Self::new(Action::Oversized(bytes))
    }

    /// Sets a response header, replacing the fake's own header of that name. An invalid name
    /// or value is skipped.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.push((name, value));
        }
        self
    }

    /// The body of a [`status`](Self::status) answer (ignored by the other kinds).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// A JSON body for a [`status`](Self::status) answer.
    pub fn json(self, value: serde_json::Value) -> Self {
        self.body(value.to_string())
    }

    /// Waits `delay` before the fault answers (or drops the connection).
    pub fn after_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Fires for the next `n` matching requests (default 1); `0` never fires.
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    /// Restricts the fault to some requests (default [`Match::Any`]).
    pub fn matching(mut self, matcher: Match) -> Self {
        self.matcher = matcher;
        self
    }

    /// Lets the request change the store as a normal request would, the moment it arrives,
    /// before the fault answers: the request happened, the client cannot tell. Default: the
    /// store never sees a faulted request.
    pub fn apply_first(mut self) -> Self {
        self.apply_first = true;
        self
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(delay) = self.delay {
            write!(f, "delay {delay:?}, then ")?;
        }
        match &self.action {
            Action::Normal => f.write_str("normal answer")?,
            Action::Status(status) => write!(f, "status {}", status.as_u16())?,
            Action::Drop => f.write_str("drop connection")?,
            Action::Truncated => f.write_str("truncated body")?,
            Action::Malformed => f.write_str("malformed JSON body")?,
            Action::Oversized(n) => write!(f, "oversized body ({n} bytes)")?,
        }
        if self.apply_first {
            f.write_str(" (applied first)")?;
        }
        Ok(())
    }
}

/// Queued faults; the first one that matches a request fires.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.queue.push_back(fault);
        }
    }

    /// The fault for this request, if any; it is removed once it has fired `times` times.
    pub(crate) fn take(&mut self, method: &Method, path: &str, route: &Route) -> Option<Fault> {
        let index = self
            .queue
            .iter()
            .position(|f| f.matcher.matches(method, path, route))?;
        let entry = self.queue.get_mut(index)?;
        entry.times -= 1;
        if entry.times == 0 {
            self.queue.remove(index)
        } else {
            Some(entry.clone())
        }
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    pub(crate) fn snapshot(&self) -> Vec<Fault> {
        self.queue.iter().cloned().collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn route(method: &Method, path: &str) -> Route {
        Route::classify(method, path)
    }

    #[test]
    fn matching() {
        let get = Method::GET;
        let item = "/v1/organization/invites/invite-1";
        let r = route(&get, item);
        assert!(Match::Any.matches(&get, item, &r));
        assert!(Match::Operation("retrieveInvite").matches(&get, item, &r));
        assert!(!Match::Operation("deleteInvite").matches(&get, item, &r));
        assert!(Match::route(Method::GET, item).matches(&get, item, &r));
        assert!(
            Match::route(Method::GET, "/organization/invites/invite-1").matches(&get, item, &r)
        );
        assert!(
            Match::route(Method::GET, "/organization/invites/{invite_id}").matches(&get, item, &r)
        );
        assert!(!Match::route(Method::DELETE, item).matches(&get, item, &r));
        assert!(!Match::route(Method::GET, "/organization/invites").matches(&get, item, &r));
    }

    #[test]
    fn times_and_order() {
        let mut q = FaultQueue::default();
        q.push(Fault::status(500).times(0));
        q.push(
            Fault::status(503)
                .times(2)
                .matching(Match::Operation("listInvites")),
        );
        q.push(Fault::drop_connection());
        assert_eq!(q.len(), 2);
        let list = route(&Method::GET, "/v1/organization/invites");
        let create = route(&Method::POST, "/v1/organization/invites");
        let path = "/v1/organization/invites";
        assert_eq!(
            q.take(&Method::POST, path, &create).unwrap().action,
            Action::Drop
        );
        assert_eq!(q.take(&Method::POST, path, &create), None);
        assert_eq!(
            q.take(&Method::GET, path, &list).unwrap().action,
            Action::Status(StatusCode::SERVICE_UNAVAILABLE)
        );
        assert!(q.take(&Method::GET, path, &list).is_some());
        assert_eq!(q.take(&Method::GET, path, &list), None);
    }

    #[test]
    fn builders_and_descriptions() {
        assert_eq!(
            Fault::status(1000).action,
            Action::Status(StatusCode::INTERNAL_SERVER_ERROR)
        );
        let limited = Fault::rate_limited(1500);
        assert_eq!(limited.headers.len(), 2);
        assert_eq!(limited.headers[1].1, "2");
        let skipped = Fault::status(500)
            .header("bad header", "x")
            .header("x-ok", "a\nb");
        assert!(skipped.headers.is_empty());
        assert_eq!(
            Fault::drop_connection()
                .apply_first()
                .after_delay(Duration::from_millis(5))
                .to_string(),
            "delay 5ms, then drop connection (applied first)"
        );
        assert_eq!(
            Fault::delay(Duration::from_secs(1)).to_string(),
            "delay 1s, then normal answer"
        );
        assert_eq!(
            Fault::json(Fault::status(418), serde_json::json!({"a": 1}))
                .body
                .unwrap(),
            "{\"a\":1}"
        );
    }
}
