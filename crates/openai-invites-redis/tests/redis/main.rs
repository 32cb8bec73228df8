//! The Redis limiter against a real `redis-server` (each test starts its own): the shared
//! limit and pause, Redis outages, and clients using it. One test binary, so that a machine
//! without `redis-server` says once that these are skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod client;
mod outage;
mod shared_limit;
