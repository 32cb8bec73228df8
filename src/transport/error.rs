//! The transport's errors: did the request leave the client, can trying again help, and was
//! the answer too large.

use std::fmt;

use http::StatusCode;

use crate::BoxError;

/// A transport failure, split by whether the request may have reached the service.
///
/// `Display` says what failed and where (`could not resolve `api.openai.com``, `the
/// certificate of localhost:8443 was rejected: ...`); [`source`](std::error::Error::source) is
/// the underlying error (hyper's, the socket's, rustls'), so an error reporter prints each once.
#[derive(Debug)]
pub struct TransportError {
    phase: Phase,
    /// `host:port` of the destination, when the transport knows it.
    target: Option<String>,
    /// The proxy's printable address (credentials redacted), when one was used.
    proxy: Option<String>,
    source: BoxError,
}

/// Where the attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// No connection (refused, unreachable, connect timeout, a handshake that failed for
    /// another reason than the certificate): nothing was sent.
    Connect,
    /// The host name could not be resolved: nothing was sent.
    Resolve,
    /// The server's certificate was rejected: nothing was sent, and the next attempt would be
    /// rejected the same way.
    Certificate(&'static str),
    /// The proxy asked for credentials (407) before opening the tunnel.
    ProxyAuth,
    /// The proxy would not open a tunnel to the API (a non-2xx answer to CONNECT).
    ProxyRefused,
    /// The connection failed once the request may have been written.
    AfterSend,
}

impl TransportError {
    /// No connection was made (refused, DNS, TLS handshake, connect timeout): nothing was sent.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(Phase::Connect, source)
    }

    /// The server's certificate was rejected: nothing was sent, and the client does not try
    /// again (the certificate will not change between attempts).
    pub fn certificate(source: impl Into<BoxError>) -> Self {
        Self::new(Phase::Certificate(""), source)
    }

    /// The connection failed once the request may have been written: the outcome is unknown.
    pub fn after_send(source: impl Into<BoxError>) -> Self {
        Self::new(Phase::AfterSend, source)
    }

    pub(crate) fn new(phase: Phase, source: impl Into<BoxError>) -> Self {
        Self {
            phase,
            target: None,
            proxy: None,
            source: source.into(),
        }
    }

    /// Names the destination (`host:port`) and the proxy, for the message.
    pub(crate) fn at(mut self, target: Option<String>, proxy: Option<&str>) -> Self {
        self.target = target;
        self.proxy = proxy.map(str::to_owned);
        self
    }

    /// Whether the failure happened before anything was sent to the service (this includes a
    /// rejected certificate and a proxy that refused the tunnel).
    pub fn is_connect(&self) -> bool {
        self.phase != Phase::AfterSend
    }

    /// Whether the server's certificate was rejected (unknown issuer, wrong name, expired...).
    pub fn is_certificate(&self) -> bool {
        matches!(self.phase, Phase::Certificate(_))
    }

    /// Whether a proxy refused the tunnel or asked for credentials.
    pub fn is_proxy(&self) -> bool {
        matches!(self.phase, Phase::ProxyAuth | Phase::ProxyRefused)
    }

    /// The destination, `host:port`, when known.
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    pub(crate) fn phase(&self) -> Phase {
        self.phase
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = self.target.as_deref();
        let host = target.map(|t| t.rsplit_once(':').map_or(t, |(host, _)| host));
        let via = |f: &mut fmt::Formatter<'_>| match &self.proxy {
            Some(proxy) => write!(f, " through the proxy {proxy}"),
            None => Ok(()),
        };
        match (self.phase, target) {
            (Phase::Resolve, Some(target)) => {
                write!(
                    f,
                    "could not resolve `{}` (connecting to {target})",
                    host.unwrap_or("")
                )
            }
            (Phase::Resolve, None) => f.write_str("could not resolve the host"),
            (Phase::Connect, Some(target)) => {
                write!(f, "could not connect to {target}")?;
                via(f)
            }
            (Phase::Connect, None) => f.write_str("could not connect"),
            (Phase::Certificate(why), target) => {
                match target {
                    Some(target) => write!(f, "the certificate of {target} was rejected")?,
                    None => f.write_str("the server's certificate was rejected")?,
                }
                if why.is_empty() {
                    Ok(())
                } else {
                    write!(f, ": {why}")
                }
            }
            (Phase::ProxyAuth, _) => {
                let proxy = self.proxy.as_deref().unwrap_or("the proxy");
                write!(
                    f,
                    "the proxy {proxy} asked for credentials (407 Proxy Authentication Required)"
                )?;
                f.write_str(" before opening a tunnel; set them in the proxy URL (http://user:password@host:port)")
            }
            (Phase::ProxyRefused, _) => {
                let proxy = self.proxy.as_deref().unwrap_or("the proxy");
                write!(f, "the proxy {proxy} refused to open a tunnel")?;
                match target {
                    Some(target) => write!(f, " to {target}"),
                    None => Ok(()),
                }
            }
            (Phase::AfterSend, Some(target)) => {
                write!(
                    f,
                    "the connection to {target} failed after the request may have been sent"
                )
            }
            (Phase::AfterSend, None) => {
                f.write_str("the connection failed after the request may have been sent")
            }
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

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

impl ResponseTooLarge {
    /// The error for a response with these `parts` whose body exceeds `limit`, boxed as the
    /// stack carries it.
    pub(crate) fn boxed(parts: &http::response::Parts, limit: usize) -> BoxError {
        Box::new(Self {
            status: parts.status,
            request_id: openai_invites_core::headers::request_id(&parts.headers).map(str::to_owned),
            limit,
        })
    }
}
