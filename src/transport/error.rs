//! The transport's errors: did the request leave the client, and was the answer too large.

use std::fmt;

use http::StatusCode;

use crate::BoxError;

/// A transport failure, split by whether the request may have reached the service.
#[derive(Debug)]
pub struct TransportError {
    connect: bool,
    source: BoxError,
}

impl TransportError {
    /// No connection was made (refused, DNS, TLS handshake, connect timeout): nothing was sent.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self {
            connect: true,
            source: source.into(),
        }
    }

    /// The connection failed once the request may have been written: the outcome is unknown.
    pub fn after_send(source: impl Into<BoxError>) -> Self {
        Self {
            connect: false,
            source: source.into(),
        }
    }

    /// Whether the failure happened before anything was sent.
    pub fn is_connect(&self) -> bool {
        self.connect
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = if self.connect { "connect" } else { "request" };
        write!(f, "{phase} failed: {}", self.source)?;
        // hyper's top-level messages are terse; the root cause says what happened.
        let mut cause = self.source.source();
        while let Some(inner) = cause {
            write!(f, ": {inner}")?;
            cause = inner.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {}

/// The response body exceeded the size cap; it was not read further.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the {status} response body exceeds the {limit}-byte cap")]
pub struct ResponseTooLarge {
    /// The response status.
    pub status: StatusCode,
    /// The `x-request-id` of the response.
    pub request_id: Option<String>,
    /// The cap, in bytes.
    pub limit: usize,
}
