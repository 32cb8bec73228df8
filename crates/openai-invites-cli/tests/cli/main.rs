//! The command line driven as a user drives it: the `openai-invites` binary against the
//! `openai-invites-fake` binary on loopback (and `--demo`), through pipes and, for what a
//! person sees, a real pseudo-terminal.
//!
//! Output is compared with the snapshots in `snapshots/` (`SNAPSHOTS=overwrite cargo test -p
//! openai-invites-cli` rewrites them; review the diff). `[..]` in a snapshot stands for text
//! that changes from run to run (request ids, ids the fake makes up).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delete;
mod demo;
mod exit_codes;
mod formats;
mod invite;
#[cfg(feature = "redis")]
#[path = "../../../openai-invites-redis/tests/support/redis_server.rs"]
mod redis_server;
mod roster;
mod roster_refusals;
mod roster_resume;
#[cfg(unix)]
mod roster_terminal;
mod secrets;
#[cfg(feature = "redis")]
mod shared_limit;
mod support;
#[cfg(unix)]
mod terminal;
