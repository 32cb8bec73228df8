//! `ServerConfig`: where the loopback face listens, and how it treats slow or idle peers.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// Default [`ServerConfig::header_read_timeout`]: 10 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`ServerConfig::body_read_timeout`]: 30 s.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServerConfig::idle_timeout`]: 30 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServerConfig::max_connections`]: 512.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Settings of a [`FakeServer`](crate::FakeServer); start from `default()` and change fields.
///
/// ```
/// use std::time::Duration;
/// use openai_invites_mock::{DEFAULT_MAX_CONNECTIONS, ServerConfig};
///
/// let mut config = ServerConfig::default();
/// config.idle_timeout = Duration::from_secs(2);
/// assert!(config.host.is_loopback());
/// assert_eq!(config.max_connections, DEFAULT_MAX_CONNECTIONS);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The address to bind (default `127.0.0.1`). Anything but loopback needs a control token
    /// on the fake ([`FakeInvitesBuilder::control_token`](crate::FakeInvitesBuilder::control_token)),
    /// or anyone who can reach it could rewrite it.
    pub host: IpAddr,
    /// The port (default 0: a free one).
    pub port: u16,
    /// How long an HTTP/1 request head may take (default [`DEFAULT_HEADER_READ_TIMEOUT`]),
    /// from its first byte on a new connection, from the previous answer on a kept-alive one
    /// (hyper's `header_read_timeout`): a slower one has its connection closed, however slowly
    /// bytes trickle in, and so has a kept-alive connection idle that long.
    pub header_read_timeout: Duration,
    /// How long a request body may take (default [`DEFAULT_BODY_READ_TIMEOUT`]); a slower one
    /// is answered 408 and its connection closed.
    pub body_read_timeout: Duration,
    /// How long a connection may go with no request in flight (default
    /// [`DEFAULT_IDLE_TIMEOUT`]), from when it opens or its last answer: one that never sends a
    /// byte, or an idle h2 connection.
    pub idle_timeout: Duration,
    /// The most connections served at once (default [`DEFAULT_MAX_CONNECTIONS`]), lowered to
    /// fit the process's open-file limit ([`FakeServer::max_connections`](crate::FakeServer::max_connections)).
    /// One more is answered `503 too_many_connections` with `retry-after: 1` and closed,
    /// never left hanging.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}
