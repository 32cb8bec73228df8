//! A request as both faces hand it over to the fake.

use bytes::Bytes;
use http::HeaderMap;

/// A request as both faces hand it over.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) method: http::Method,
    pub(crate) uri: http::Uri,
    pub(crate) headers: HeaderMap,
    /// `None` when the body was over the size cap; empty when it was not read (an
    /// unauthenticated request on loopback).
    pub(crate) body: Option<Bytes>,
    /// How many body bytes the request had (over the cap: its `content-length`, else one more
    /// than the cap).
    pub(crate) body_len: usize,
}
