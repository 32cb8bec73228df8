//! `ErrorKind`: where a call failed.

/// Where a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built (invalid input); nothing was sent.
    Encode,
    /// The service answered with a non-2xx status.
    Api,
    /// No connection could be made (refused, DNS, connect timeout, a TLS handshake that failed
    /// for another reason than the certificate); nothing was sent. Retried.
    Connect,
    /// The server's certificate was rejected (unknown issuer, a name it is not valid for,
    /// expired...); nothing was sent. Not retried: the next attempt would meet the same
    /// certificate. Trust a private CA with
    /// [`add_root_certificates_pem`](crate::ClientBuilder::add_root_certificates_pem) or
    /// `SSL_CERT_FILE`.
    Certificate,
    /// The proxy asked for credentials (407, not retried) or would not open a tunnel to the
    /// API (retried: a proxy's 502 or 503 may pass); nothing was sent to the API.
    Proxy,
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
    /// has left; that attempt was not sent (an earlier one of the call may have been: see
    /// [`Error::is_not_sent`](crate::Error::is_not_sent)). [`Error::retry_after`](crate::Error::retry_after) says how long it asked to wait.
    RateLimited,
    /// The rate limiter could not answer (its store is down); that attempt was not sent (see
    /// [`Error::is_not_sent`](crate::Error::is_not_sent) for the call as a whole).
    LimiterUnavailable,
    /// `inviteUser` found, by reading the invites, that the email already had a pending invite
    /// from before the call; none was created. [`Error::invite`](crate::Error::invite) is that invite.
    AlreadyInvited,
    /// A layer (yours or ours) failed in another way.
    Middleware,
}

impl ErrorKind {
    /// The kind as spans and metrics name it in `error.type` (low cardinality, per
    /// OpenTelemetry's conventions; `_OTHER` for a failure of a layer of yours).
    pub(crate) fn error_type(self) -> &'static str {
        match self {
            Self::Encode => "encode",
            Self::Api => "api",
            Self::Connect => "connect",
            Self::Certificate => "certificate",
            Self::Proxy => "proxy",
            Self::Transport => "transport",
            Self::AttemptTimeout | Self::TotalTimeout => "timeout",
            Self::Decode => "decode",
            Self::ResponseTooLarge => "response_too_large",
            Self::RepeatedCursor => "repeated_cursor",
            Self::RateLimited => "rate_limited",
            Self::LimiterUnavailable => "limiter_unavailable",
            Self::AlreadyInvited => "already_invited",
            Self::Middleware => "_OTHER",
        }
    }
}
