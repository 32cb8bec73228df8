//! `Error`: why a call failed, and whether the service may have acted on it.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use openai_invites_core::{ApiError, EncodeError, Invite, OperationMeta, ResponseError};

use crate::failure::{Failure, ResponseFacts};
use crate::layer::context::Notes;
use crate::layer::rate_limit::{LimiterUnavailable, Throttled};
use crate::layer::retry::{AlreadyInvited, Reconciled};
use crate::layer::{AttemptTimeoutError, TotalTimeoutError};
use crate::transport::{ResponseTooLarge, TransportError};

/// The error type of the tower stack: any layer may fail with anything.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built (invalid input); nothing was sent.
    Encode,
    /// The service answered with a non-2xx status.
    Api,
    /// No connection could be made (refused, DNS, TLS handshake); nothing was sent.
    Connect,
    /// The connection failed after the request may have been written.
    Transport,
    /// One attempt took longer than the attempt timeout.
    AttemptTimeout,
    /// The whole call, retries included, took longer than the total timeout.
    TotalTimeout,
    /// The service answered 2xx but the body is not what the operation returns.
    Decode,
    /// The response body exceeded the configured size cap.
    ResponseTooLarge,
    /// Pagination stopped: the service handed back a cursor it had already given.
    RepeatedCursor,
    /// The client's rate limiter (a 429 cooldown included) would hold the call longer than it
    /// has left; nothing was sent. [`Error::retry_after`] says how long it asked to wait.
    RateLimited,
    /// The rate limiter could not answer (its store is down); nothing was sent.
    LimiterUnavailable,
    /// `inviteUser` found, by reading the invites, that the email already had a pending invite
    /// from before the call; none was created. [`Error::invite`] is that invite.
    AlreadyInvited,
    /// A layer (yours or ours) failed in another way.
    Middleware,
}

impl ErrorKind {
    /// Where an error that came out of the stack (or out of one of its layers) failed: the one
    /// place that knows the stack's error types.
    pub(crate) fn of(error: &BoxError) -> Self {
        if let Some(ours) = error.downcast_ref::<Error>() {
            ours.kind()
        } else if let Some(transport) = error.downcast_ref::<TransportError>() {
            if transport.is_connect() {
                Self::Connect
            } else {
                Self::Transport
            }
        } else if error.is::<ResponseTooLarge>() {
            Self::ResponseTooLarge
        } else if error.is::<AttemptTimeoutError>() {
            Self::AttemptTimeout
        } else if error.is::<TotalTimeoutError>() {
            Self::TotalTimeout
        } else if error.is::<Throttled>() {
            Self::RateLimited
        } else if error.is::<LimiterUnavailable>() {
            Self::LimiterUnavailable
        } else if error.is::<AlreadyInvited>() {
            Self::AlreadyInvited
        } else {
            Self::Middleware
        }
    }
}

/// Why a call failed. Cheap to move (one box), with predicates for the questions callers ask.
///
/// `Display` names the operation, what went wrong, the request id when there was a response,
/// and the attempt count; it never contains the admin key.
///
/// ```no_run
/// # async fn run(client: openai_invites::Client) {
/// use openai_invites::ErrorKind;
///
/// match client.retrieve_invite("invite-abc").await {
///     Ok(invite) => println!("{} is {}", invite.email, invite.status),
///     Err(e) if e.status() == Some(openai_invites::http::StatusCode::NOT_FOUND) => println!("no such invite"),
///     Err(e) if e.kind() == ErrorKind::RateLimited => {
///         println!("slow down: try again in {:?}", e.retry_after());
///     }
///     Err(e) if e.is_outcome_unknown() => println!("the service may have acted: {e}"),
///     Err(e) => println!("failed after {} attempts: {e} (request id {:?})", e.attempts(), e.request_id()),
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    operation: &'static str,
    attempts: u32,
    status: Option<StatusCode>,
    request_id: Option<String>,
    api: Option<ApiError>,
    /// For an answer: what its status says (ambiguous, rate limited...).
    failure: Option<Failure>,
    retry_after: Option<Duration>,
    stop_reason: Option<&'static str>,
    /// What reading the service found, when the outcome was ambiguous.
    reconciled: Option<Reconciled>,
    reconcile_failure: Option<String>,
    /// Whether some attempt may have been acted on, unsettled.
    maybe_acted: bool,
    /// The invite already pending, for [`ErrorKind::AlreadyInvited`].
    invite: Option<Invite>,
    source: Option<BoxError>,
}

impl Error {
    fn new(kind: ErrorKind, meta: &OperationMeta) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                operation: meta.name,
                attempts: 0,
                status: None,
                request_id: None,
                api: None,
                failure: None,
                retry_after: None,
                stop_reason: None,
                reconciled: None,
                reconcile_failure: None,
                maybe_acted: false,
                invite: None,
                source: None,
            }),
        }
    }

    fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// What the retry layer noted about how the call ended.
    pub(crate) fn with_notes(mut self, notes: Notes) -> Self {
        self.inner.stop_reason = notes.stop_reason;
        self.inner.reconciled = notes.reconciled;
        self.inner.reconcile_failure = notes.reconcile_failure;
        self.inner.maybe_acted = notes.maybe_acted;
        self
    }

    pub(crate) fn encode(meta: &OperationMeta, error: EncodeError) -> Self {
        Self::new(ErrorKind::Encode, meta).with_source(error)
    }

    pub(crate) fn repeated_cursor(meta: &OperationMeta, cursor: &str) -> Self {
        let message = format!("the service returned cursor `{cursor}` a second time");
        Self::new(ErrorKind::RepeatedCursor, meta).with_source(message)
    }

    /// The service answered with an error status.
    pub(crate) fn answered(meta: &OperationMeta, facts: ResponseFacts) -> Self {
        let mut out = Self::new(ErrorKind::Api, meta);
        out.inner.status = Some(facts.api.status);
        out.inner.request_id = facts.api.request_id.clone();
        out.inner.failure = Some(facts.failure);
        out.inner.retry_after = facts.retry_after;
        out.inner.api = Some(facts.api);
        out
    }

    pub(crate) fn response(meta: &OperationMeta, error: ResponseError) -> Self {
        match error {
            ResponseError::Api(api) => {
                let failure = Failure::of_status(api.status, &api);
                let mut out = Self::new(ErrorKind::Api, meta);
                out.inner.status = Some(api.status);
                out.inner.request_id = api.request_id.clone();
                out.inner.failure = Some(failure);
                out.inner.api = Some(*api);
                out
            }
            ResponseError::Decode(decode) => {
                let mut out = Self::new(ErrorKind::Decode, meta);
                out.inner.status = Some(decode.status);
                out.inner.request_id = decode.request_id.clone();
                out.with_source(decode)
            }
            other => Self::new(ErrorKind::Middleware, meta).with_source(other),
        }
    }

    /// Classifies an error that came out of the tower stack.
    pub(crate) fn from_stack(meta: &OperationMeta, error: BoxError) -> Self {
        let error = match error.downcast::<Error>() {
            Ok(ours) => return *ours,
            Err(other) => other,
        };
        let mut out = Self::new(ErrorKind::of(&error), meta);
        if let Some(large) = error.downcast_ref::<ResponseTooLarge>() {
            out.inner.status = Some(large.status);
            out.inner.request_id = large.request_id.clone();
        }
        if let Some(throttled) = error.downcast_ref::<Throttled>() {
            out.inner.retry_after = Some(throttled.wait);
        }
        if let Some(already) = error.downcast_ref::<AlreadyInvited>() {
            out.inner.invite = Some(already.invite.clone());
            // The service's own answer, when it gave one, says the same: keep it for callers
            // that read the status and request id.
            if let Some(answer) = &already.answer {
                out.inner.status = Some(answer.api.status);
                out.inner.request_id = answer.api.request_id.clone();
                out.inner.api = Some(answer.api.clone());
            }
        }
        out.with_source(error)
    }

    /// Where the call failed.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The operation, e.g. `inviteUser`.
    pub fn operation(&self) -> &'static str {
        self.inner.operation
    }

    /// An attempt or the whole call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::AttemptTimeout | ErrorKind::TotalTimeout
        )
    }

    /// No connection could be made; the request was never sent.
    pub fn is_connect(&self) -> bool {
        self.inner.kind == ErrorKind::Connect
    }

    /// Nothing of the call reached the service: invalid input, no connection on any attempt,
    /// or the rate limiter held the call back before its first attempt.
    pub fn is_not_sent(&self) -> bool {
        self.inner.attempts == 0
            || (self.inner.kind == ErrorKind::Connect && !self.inner.maybe_acted)
    }

    /// The service may or may not have acted on the call, and the client could not find out:
    /// some attempt's outcome was ambiguous (a timeout or connection lost after sending, a
    /// 5xx, 408, 409), or the call ran out of time while an attempt was in flight, and no
    /// reconciliation settled it. This covers every attempt of the call, not only the last:
    /// a delete answered 503 after it took effect, then refused connections, is unknown.
    ///
    /// For `inviteUser` the client reads the invites to settle it (see
    /// [`reconciled`](Self::reconciled)), so this is true only when the service could not be
    /// read.
    pub fn is_outcome_unknown(&self) -> bool {
        match self.inner.reconciled {
            Some(Reconciled::Failed) | None => self.inner.maybe_acted,
            Some(_) => false,
        }
    }

    /// A failure of a kind that may pass if the call is made again later (connection trouble,
    /// timeouts, the client's own rate limit, 408, 409, 429 other than `insufficient_quota`,
    /// 5xx). This is about the kind of failure only: it ignores `x-should-retry` and
    /// idempotency, which the retry layer weighs (see [`Display`](std::fmt::Display) for why a
    /// call was not retried).
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Connect
            | ErrorKind::Transport
            | ErrorKind::AttemptTimeout
            | ErrorKind::TotalTimeout
            | ErrorKind::RateLimited
            | ErrorKind::LimiterUnavailable => true,
            ErrorKind::Api => self.inner.failure.is_some_and(Failure::may_pass),
            _ => false,
        }
    }

    /// What the client found when it read the service to settle an ambiguous outcome: for
    /// `inviteUser`, whether the create took effect; for `deleteInvite`, that an earlier
    /// attempt did. `None` when no reconciliation ran.
    pub fn reconciled(&self) -> Option<Reconciled> {
        self.inner.reconciled
    }

    /// The invite already pending, for [`ErrorKind::AlreadyInvited`].
    pub fn invite(&self) -> Option<&Invite> {
        self.inner.invite.as_ref()
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The `x-request-id` of the (last) response, for support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The service's error (envelope or bounded raw body), for [`ErrorKind::Api`].
    pub fn api_error(&self) -> Option<&ApiError> {
        self.inner.api.as_ref()
    }

    /// How many attempts were made, including ones that could not connect; 0 when the request
    /// could not be built.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The wait the service asked for (`retry-after-ms` / `retry-after`) on the last response.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "{}: ", i.operation)?;
        match i.kind {
            ErrorKind::Encode => f.write_str("invalid request, nothing was sent")?,
            ErrorKind::Api => match &i.api {
                Some(api) => write!(f, "{api}")?,
                None => f.write_str("the service answered with an error")?,
            },
            ErrorKind::Connect => f.write_str("could not connect, nothing was sent")?,
            ErrorKind::Transport => f.write_str("the connection failed after sending")?,
            ErrorKind::AttemptTimeout => f.write_str("the attempt timed out")?,
            ErrorKind::TotalTimeout => f.write_str("the call timed out")?,
            ErrorKind::Decode => f.write_str("could not decode the response")?,
            ErrorKind::ResponseTooLarge => f.write_str("the response is too large")?,
            ErrorKind::RepeatedCursor => f.write_str("pagination stopped")?,
            ErrorKind::RateLimited => {
                f.write_str("held back by the rate limiter, nothing was sent")?
            }
            ErrorKind::LimiterUnavailable => {
                f.write_str("the rate limiter is unavailable, nothing was sent")?
            }
            ErrorKind::AlreadyInvited => f.write_str("already invited")?,
            ErrorKind::Middleware => f.write_str("a middleware layer failed")?,
        }
        if let Some(source) = &i.source {
            write!(f, ": {source}")?;
        }
        if i.kind != ErrorKind::Api {
            if let Some(id) = &i.request_id {
                write!(f, " [request id {id}]")?;
            }
        }
        if let Some(hint) = i.retry_after {
            write!(f, "; the service asked to wait {hint:?}")?;
        }
        match i.attempts {
            0 => {}
            1 => f.write_str(" (1 attempt)")?,
            n => write!(f, " ({n} attempts)")?,
        }
        match (self.inner.reconciled, &self.inner.reconcile_failure) {
            (Some(Reconciled::NotCreated), _) => {
                f.write_str("; checked by reading the invites: it was not created")?
            }
            (Some(Reconciled::Failed), Some(why)) => {
                write!(f, "; reading the invites could not tell: {why}")?
            }
            _ => {}
        }
        if self.is_outcome_unknown() {
            f.write_str("; the outcome is unknown: the service may have acted on the request")?;
        }
        if let Some(reason) = i.stop_reason {
            write!(f, "; not retried: {reason}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("operation", &i.operation)
            .field("attempts", &i.attempts)
            .field("status", &i.status)
            .field("request_id", &i.request_id)
            .field("api", &i.api)
            .field("retry_after", &i.retry_after)
            .field("source", &i.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match (&self.inner.api, &self.inner.source) {
            (Some(api), _) => Some(api),
            (None, Some(source)) => Some(source.as_ref()),
            (None, None) => None,
        }
    }
}

/// Why [`ClientBuilder::build`](crate::ClientBuilder::build) refused the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No admin key was given (`admin_key(..)` or `OPENAI_ADMIN_KEY` through `from_env()`).
    #[error("no admin key: call `admin_key(..)` or set OPENAI_ADMIN_KEY and use `from_env()`")]
    MissingAdminKey,
    /// The admin key cannot be sent in a header.
    #[error("the admin key is unusable: {0}")]
    InvalidAdminKey(&'static str),
    /// A header value (organization, project, user agent suffix) is unusable.
    #[error("`{name}` cannot be sent as a header value: {reason}")]
    InvalidHeader {
        /// Which setting.
        name: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The base URL is not usable.
    #[error(transparent)]
    BaseUrl(#[from] openai_invites_core::BaseUrlError),
    /// Plain `http://` to a host that is not loopback would send the key in clear text.
    #[error(
        "refusing plain http:// to `{host}`: the admin key would travel in clear text; use \
         https, a loopback host, or `allow_insecure_http(true)`"
    )]
    InsecureHttp {
        /// The host.
        host: String,
    },
    /// The TLS configuration could not be built (e.g. an invalid root certificate).
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// A setting is out of range.
    #[error("invalid setting `{name}`: {reason}")]
    InvalidSetting {
        /// Which setting.
        name: &'static str,
        /// Why.
        reason: &'static str,
    },
}
