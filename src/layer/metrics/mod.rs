//! Metrics, behind the `metrics` cargo feature: OpenTelemetry's HTTP client metrics per
//! attempt, and the client's own per call, on the `opentelemetry` API crate only (the
//! application installs the SDK and its exporter; with none installed the global provider is a
//! no-op).
//!
//! | instrument | kind, unit | attributes |
//! |---|---|---|
//! | `http.client.request.duration` | histogram, s (the conventions' buckets) | `http.request.method`, `server.address`, `server.port`, `url.template`, `network.protocol.version`, `http.response.status_code` (an answer), `error.type` (a failure, or an error status) |
//! | `openai_invites.client.operation.duration` | histogram, s: the whole call, every attempt and wait | `openai_invites.operation`, `openai_invites.outcome` (`ok` or the error kind), `openai_invites.attempts` |
//! | `openai_invites.client.retries` | counter | `openai_invites.operation`, `openai_invites.retry.reason` |
//! | `openai_invites.client.cooldowns` | counter: 429 hints that paused every caller | (none) |
//! | `openai_invites.client.reconciliations` | counter | `openai_invites.operation`, `openai_invites.reconciliation.result` |
//! | `openai_invites.client.rate_limit.wait` | histogram, s: the wait for a permit, per attempt that had to wait (or ask a remote store) | `openai_invites.operation` |
//! | `openai_invites.client.rate_limiter.store_failures` | observable counter | (none) |
//!
//! No attribute carries an id, an email or a raw path: every value comes from a small fixed set.
//! Without the feature, every recording point compiles to nothing.

mod attempt;
#[cfg(feature = "metrics")]
mod instruments;
mod recorder;

pub(crate) use attempt::AttemptMetricsLayer;
#[cfg(feature = "metrics")]
pub(crate) use instruments::Instruments;
pub(crate) use recorder::{CallTimer, Recorder};
