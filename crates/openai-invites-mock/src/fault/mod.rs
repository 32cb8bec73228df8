//! Scripted faults: what the fake does instead of (or on top of) answering normally.
//!
//! A [`Fault`] is a plain value, queued on the handle and consumed by the next matching
//! requests. It says how the request fails *and* whether the store saw it
//! ([`Fault::apply_first`]): "the invite was created, then the connection dropped" is the
//! ambiguous failure retry logic must be tested against.

mod json;
mod queue;

pub(crate) use queue::FaultQueue;

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use openai_invites_core::ops::{self, OPERATIONS};
use openai_invites_core::{OperationMeta, headers};

use crate::control_error::ControlError;
use crate::routes::{BASE_PATH, Route};

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Match {
    /// Every request, known route or not (the default).
    #[default]
    Any,
    /// Requests for one operation of the core's table, e.g.
    /// `Match::Operation(InviteUser::META)`: typed, so a misspelt operation does not compile.
    /// For a name known only at run time, [`Match::operation`] refuses one that is not an
    /// operation; so does [`FakeInvites::try_push_fault`](crate::FakeInvites::try_push_fault)
    /// a hand-built meta that is not in the table.
    ///
    /// ```compile_fail
    /// use openai_invites_mock::Match;
    /// let by_name = Match::Operation("inviteUser"); // a name is not an operation
    /// ```
    ///
    /// ```compile_fail
    /// use openai_invites_core::{InviteUsr, Operation};
    /// let typo = openai_invites_mock::Match::Operation(InviteUsr::META);
    /// ```
    Operation(OperationMeta),
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

    /// The [`Match::Operation`] of the operation named `name` (e.g. `inviteUser`, from a test
    /// table); a name that is not one is refused with the names there are.
    ///
    /// ```
    /// use openai_invites_core::{InviteUser, Operation};
    /// use openai_invites_mock::Match;
    ///
    /// assert_eq!(Match::operation("inviteUser")?, Match::Operation(InviteUser::META));
    /// let typo = Match::operation("invite_user").unwrap_err();
    /// assert!(typo.to_string().contains("`invite_user` is not one of"), "{typo}");
    /// # Ok::<(), openai_invites_mock::ControlError>(())
    /// ```
    pub fn operation(name: &str) -> Result<Self, ControlError> {
        match ops::named(name) {
            Some(meta) => Ok(Self::Operation(meta.clone())),
            None => {
                let names: Vec<_> = OPERATIONS.iter().map(|op| op.name).collect();
                Err(ControlError::invalid(
                    "operation",
                    format!("`{name}` is not one of {}", names.join(", ")),
                ))
            }
        }
    }

    /// Refuses a [`Match::Operation`] whose meta is not one of the core's table (a hand-built
    /// one, with a misspelt name, say): it would never fire.
    pub(crate) fn check(&self) -> Result<(), ControlError> {
        match self {
            Self::Operation(meta) if ops::named(meta.name) != Some(meta) => {
                // A misspelt name is refused with the names there are.
                Self::operation(meta.name)?;
                let message = format!("`{}` differs from the table's meta of that name", meta.name);
                Err(ControlError::invalid("operation", message))
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn matches(&self, method: &Method, path: &str, route: &Route) -> bool {
        match self {
            Self::Any => true,
            Self::Operation(op) => route.meta().is_some_and(|meta| meta.name == op.name),
            Self::Route(m, p) => {
                m == method
                    && (p == path
                        || path.strip_prefix(BASE_PATH) == Some(p.as_str())
                        || route.meta().map(|meta| meta.url_template) == Some(p.as_str()))
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
/// [`FakeInvites::push_fault`](crate::FakeInvites::push_fault) queues it; the first queued
/// fault that [matches](Match) a request fires, [`times`](Self::times) times, then normal
/// behaviour resumes. Faults fire before auth and routing (a proxy, an outage). The store
/// never sees a faulted request unless the fault is [`apply_first`](Self::apply_first). On
/// loopback a dropped connection closes with no response; in process it is
/// [`FakeError::ConnectionDropped`](crate::FakeError::ConnectionDropped).
///
/// ```
/// use std::time::Duration;
/// use openai_invites_core::{InviteUser, Operation};
/// use openai_invites_mock::{Fault, Match};
///
/// // The classic ambiguous failure: the invite is created, then the connection drops.
/// let ambiguous =
///     Fault::drop_connection().apply_first().matching(Match::Operation(InviteUser::META));
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use openai_invites_core::{DeleteInvite, Operation, RetrieveInvite};

    fn route(method: &Method, path: &str) -> Route {
        Route::classify(method, path)
    }

    #[test]
    fn matching() {
        let get = Method::GET;
        let item = "/v1/organization/invites/invite-1";
        let r = route(&get, item);
        assert!(Match::Any.matches(&get, item, &r));
        assert!(Match::Operation(RetrieveInvite::META).matches(&get, item, &r));
        assert!(!Match::Operation(DeleteInvite::META).matches(&get, item, &r));
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
