//! What the integration tests share: a throwaway redis-server, an event recorder, quotas.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod events;
pub mod redis_server;

use std::num::NonZeroU32;

use openai_invites::Quota;

/// `n` permits per second, in bursts of `burst`.
pub fn per_second(n: u32, burst: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(n).unwrap()).allow_burst(NonZeroU32::new(burst).unwrap())
}

/// A non-zero count.
pub fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// A URL where nothing listens (a port just freed).
pub fn nothing_listens() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("redis://127.0.0.1:{port}")
}
