//! `Error`: why a call failed, and whether the service may have acted on it.

mod display;

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use openai_invites_core::{
    ApiError, DecodeError, EncodeError, Invite, OperationMeta, ResponseError,
};

use crate::BoxError;
use crate::failure::{ErrorKind, Failure, ResponseFacts};
use crate::layer::classify::{Cause, classify};
use crate::layer::context::Notes;
use crate::layer::reconcile::{AlreadyInvited, Reconciled};
use crate::scrub::Secrets;
use crate::transport::ResponseTooLarge;

/// Why a call failed. Cheap to move (one box), with predicates for the questions callers ask.
///
/// `Display` is one line fit for logs: the operation, what went wrong and where (the host and
/// port of a failed connection, the service's status and message), the causes, the request id
/// once, the attempt count, whether the outcome is unknown, and why the call was not retried.
/// The admin key and proxy credentials are scrubbed from it, and from `Debug`, even when a
/// server or proxy echoed them back.
///
/// Because `Display` already carries the causes, [`source`](std::error::Error::source)
/// returns `None`: error reporters (anyhow, eyre, tracing) print each cause once, and never
/// unscrubbed. The underlying error is still there for downcasting, through
/// [`get_ref`](Self::get_ref).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use openai_invites::{Client, ErrorKind};
/// use openai_invites_mock::FakeInvites;
///
/// let fake = FakeInvites::new();
/// let client = Client::builder().admin_key(fake.admin_key()).transport(fake.service()).build()?;
/// let err = client.retrieve_invite("invite-missing").await.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Api);
/// assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
/// let text = err.to_string();
/// let id = err.request_id().unwrap();
/// assert!(text.starts_with("retrieveInvite: the service answered 404"), "{text}");
/// assert_eq!(text.matches(id).count(), 1);
/// # Ok(()) }
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
    /// What the failure says: for an answer, its status; for a transport error, its phase.
    failure: Option<Failure>,
    retry_after: Option<Duration>,
    stop_reason: Option<&'static str>,
    /// What reading the service found, when the outcome was ambiguous.
    reconciled: Option<Reconciled>,
    reconcile_failure: Option<String>,
    /// Whether some attempt may have been acted on, unsettled (only for an operation that
    /// changes state).
    maybe_acted: bool,
    /// Whether some attempt may have reached the service.
    reached: bool,
    /// The invite already pending, for [`ErrorKind::AlreadyInvited`].
    invite: Option<Invite>,
    source: Option<BoxError>,
    /// What `Display` and `Debug` scrub; set by [`Error::scrubbed`].
    secrets: Option<Arc<Secrets>>,
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
                reached: false,
                invite: None,
                source: None,
                secrets: None,
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
        self.inner.reached = notes.reached;
        self
    }

    /// The error with `secrets` scrubbed from every text that came from the network (the
    /// service's error body and envelope fields, request ids, a decode snippet, the answer
    /// inside an [`AlreadyInvited`], a [`ResponseTooLarge`]'s request id), and kept to scrub
    /// `Display` and `Debug`. The one place the client scrubs an error.
    pub(crate) fn scrubbed(mut self, secrets: &Arc<Secrets>) -> Self {
        let i = &mut *self.inner;
        secrets.scrub_option(&mut i.request_id);
        if let Some(api) = &mut i.api {
            scrub_api(secrets, api);
        }
        // The sources a caller can reach with `get_ref` hold the network's text too.
        if let Some(source) = i.source.as_mut() {
            if let Some(decode) = source.downcast_mut::<DecodeError>() {
                secrets.scrub_in_place(&mut decode.snippet);
                secrets.scrub_option(&mut decode.request_id);
            } else if let Some(large) = source.downcast_mut::<ResponseTooLarge>() {
                secrets.scrub_option(&mut large.request_id);
            } else if let Some(already) = source.downcast_mut::<AlreadyInvited>() {
                if let Some(answer) = &mut already.answer {
                    scrub_api(secrets, answer);
                }
            }
        }
        i.secrets = Some(secrets.clone());
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
        let mut out = Self::api(meta, facts.api, facts.failure);
        out.inner.retry_after = facts.retry_after;
        out
    }

    fn api(meta: &OperationMeta, api: ApiError, failure: Failure) -> Self {
        let mut out = Self::new(ErrorKind::Api, meta);
        out.inner.status = Some(api.status);
        out.inner.request_id = api.request_id.clone();
        out.inner.failure = Some(failure);
        out.inner.api = Some(api);
        out
    }

    pub(crate) fn response(meta: &OperationMeta, error: ResponseError) -> Self {
        match error {
            ResponseError::Api(api) => {
                let failure = Failure::of_status(api.status, &api);
                Self::api(meta, *api, failure)
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

    /// An error that came out of the tower stack, as the one classification reads it.
    pub(crate) fn from_stack(meta: &OperationMeta, error: BoxError) -> Self {
        let error = match error.downcast::<Error>() {
            Ok(ours) => return *ours,
            Err(other) => other,
        };
        let found = classify(error.as_ref());
        let mut out = Self::new(found.kind, meta);
        out.inner.failure = Some(found.failure);
        match found.cause {
            Some(Cause::TooLarge(large)) => {
                out.inner.status = Some(large.status);
                out.inner.request_id = large.request_id.clone();
            }
            Some(Cause::Throttled(throttled)) => out.inner.retry_after = Some(throttled.wait),
            Some(Cause::AlreadyInvited(already)) => {
                out.inner.invite = Some(already.invite.clone());
                // The service's own answer, when it gave one, says the same: keep it for
                // callers that read the status and request id.
                if let Some(api) = &already.answer {
                    out.inner.status = Some(api.status);
                    out.inner.request_id = api.request_id.clone();
                    out.inner.api = Some(api.clone());
                }
            }
            None => {}
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

    /// No connection to the service was made: it was refused, the host did not resolve, the
    /// server's certificate was rejected ([`ErrorKind::Certificate`]) or the proxy would not
    /// open a tunnel ([`ErrorKind::Proxy`]). The request was never sent.
    pub fn is_connect(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Connect | ErrorKind::Certificate | ErrorKind::Proxy
        )
    }

    /// Nothing of the call reached the service: invalid input, or the rate limiter held every
    /// attempt back (refused it, or still held it when the call ran out of time), or no
    /// attempt got a connection (refused, a rejected certificate, a refused proxy tunnel).
    pub fn is_not_sent(&self) -> bool {
        self.inner.kind != ErrorKind::RepeatedCursor && !self.inner.reached
    }

    /// The service may or may not have acted on the call, and the client could not find out:
    /// some attempt's outcome was ambiguous (a timeout or connection lost after sending, a
    /// 5xx, 408, 409, an error of a layer of yours), or the call ran out of time while an
    /// attempt was in flight, and no reconciliation settled it; or a create was answered 2xx (so the service made the
    /// invite) with a body that did not decode or was over the cap. This covers every attempt
    /// of the call, not only the last: a delete answered 503 after it took effect, then
    /// refused connections, is unknown.
    ///
    /// For `inviteUser` the client reads the invites to settle it (see
    /// [`reconciled`](Self::reconciled)), so this is true only when the service could not be
    /// read, when it answered 2xx and its list (read twice) does not show the invite, or when
    /// a create found not made was sent again and that attempt's outcome is itself unknown
    /// (the call was cut short while it was in flight); with `reconcile_invites(false)`, for
    /// every ambiguous create.
    ///
    /// Always `false` for an operation that changes nothing (`listInvites`,
    /// `retrieveInvite`): whatever happened, nothing was done.
    pub fn is_outcome_unknown(&self) -> bool {
        // A reconciliation that settled the outcome cleared it; an ambiguous attempt after
        // it (a create sent again once it was found not made) sets it again.
        self.inner.maybe_acted
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

    /// A failure of a kind that may pass if the call is made again later (connection trouble,
    /// timeouts, the client's own rate limit, a proxy that refused the tunnel, 408, 409, 429
    /// other than `insufficient_quota`, 5xx, an error of a layer of yours, which the retry
    /// layer treats as ambiguous). Not a rejected certificate, nor a proxy asking for
    /// credentials: those fail the same way every time. This is about the kind of failure
    /// only, as the one classification reads it (a layer of yours that wraps an error of the
    /// client's is read as that error): it ignores `x-should-retry` and idempotency, which the
    /// retry layer weighs (see [`Display`](std::fmt::Display) for why a call was not retried).
    pub fn is_retryable(&self) -> bool {
        self.inner.failure.is_some_and(Failure::may_pass)
    }

    /// The service refused the key (401) or what the key may do (403): the call will fail
    /// the same way until the key changes. When a 401 answers a key that does not look like
    /// an admin key (`sk-admin-...`), [`Display`](std::fmt::Display) adds a hint saying so:
    /// the invites API needs an organization admin key, not a project API key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use openai_invites::Client;
    /// use openai_invites_mock::FakeInvites;
    ///
    /// let fake = FakeInvites::new(); // expects its own admin key
    /// let client = Client::builder().admin_key("sk-proj-wrong").transport(fake.service()).build()?;
    /// let error = client.list_invites(Default::default()).await.unwrap_err();
    /// assert!(error.is_unauthorized());
    /// assert!(error.to_string().contains("does not look like an admin key"), "{error}");
    /// # Ok(()) }
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self.inner.status,
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The `x-request-id` of the (last) response, for support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The service's error (envelope or bounded raw body), for [`ErrorKind::Api`]. Its texts
    /// are scrubbed of the admin key and proxy credentials.
    pub fn api_error(&self) -> Option<&ApiError> {
        self.inner.api.as_ref()
    }

    /// How many attempts were made, including ones that could not connect; 0 when the request
    /// could not be built.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The wait asked for: the service's `retry-after-ms` / `retry-after` on the last
    /// response, or, for [`ErrorKind::RateLimited`], the limiter's wait (a 429 cooldown,
    /// capped by `max_retry_after`) that was longer than the call had left.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The underlying error, for downcasting: a [`TransportError`](crate::transport::TransportError),
    /// a [`DecodeError`], an [`EncodeError`], a [`Throttled`](crate::layer::Throttled), a timeout, or the error of one
    /// of your layers. Its text is already part of `Display` (so it is not returned by
    /// [`source`](std::error::Error::source)); the network's text in it (a decode snippet, a
    /// request id, the service's answer inside an [`AlreadyInvited`]) is scrubbed of the
    /// client's secrets, but text an error of yours holds is as your layer made it.
    pub fn get_ref(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.inner.source.as_deref()
    }
}

impl std::error::Error for Error {}

/// Scrubs every text of the service's error answer.
fn scrub_api(secrets: &Secrets, api: &mut ApiError) {
    secrets.scrub_option(&mut api.body);
    secrets.scrub_option(&mut api.request_id);
    if let Some(body) = &mut api.error {
        secrets.scrub_in_place(&mut body.message);
        secrets.scrub_in_place(&mut body.kind);
        secrets.scrub_option(&mut body.param);
        secrets.scrub_option(&mut body.code);
    }
}
