//! Tracing: one span per call ([`OperationSpanLayer`]) and one per attempt
//! ([`AttemptSpanLayer`]), with OpenTelemetry's HTTP client attribute names.
//!
//! Only the `tracing` crate is used; bridge to OpenTelemetry with `tracing-opentelemetry` if you
//! need it. With no subscriber listening, the spans are disabled and cost a callsite check: no
//! field is formatted. The admin key is never recorded.
//!
//! A span's tracing name is fixed at compile time, so the call span is `invites.call` for every
//! operation; its `otel.name`, the name OpenTelemetry bridges export, is the operation's own
//! span name from its [`OperationMeta`](crate::OperationMeta) (`invites.list`,
//! `invites.create`, `invites.retrieve`, `invites.delete`).
//!
//! | span | name | fields |
//! |---|---|---|
//! | call | `invites.call` | `otel.kind = "client"`, `otel.name` (`invites.list`...), `openai.operation` (`listInvites`...), `error.type` (a failure, or the final answer's status when it is not 2xx) |
//! | attempt | `invites.attempt` | `otel.kind`, `otel.name` (`GET /organization/invites`), `http.request.method`, `url.template`, `server.address`, `server.port`, `http.request.resend_count` (when > 0), `http.response.status_code`, `error.type`, `openai.request_id` |

mod attempt;
mod operation;

pub use attempt::{AttemptSpan, AttemptSpanLayer};
pub use operation::{OperationSpan, OperationSpanLayer};

use tracing::Span;

use crate::BoxError;

/// Runs `call` inside `span`. Entering a disabled span does nothing, but `in_scope`'s closure
/// costs a move of the request and of the inner future: with no subscriber it is skipped.
#[inline]
fn in_span<R>(span: &Span, call: impl FnOnce() -> R) -> R {
    if span.is_disabled() {
        call()
    } else {
        span.in_scope(call)
    }
}
/// A low-cardinality `error.type` for a failure, per OpenTelemetry's conventions: its kind,
/// as the one classification reads it.
pub(crate) fn error_type(error: &BoxError) -> &'static str {
    crate::layer::classify::classify(error.as_ref())
        .kind
        .error_type()
}

/// The `error.type` of an answer, per OpenTelemetry's HTTP conventions: its status code, when
/// it is a 4xx or a 5xx.
pub(crate) fn status_error_type(status: &http::StatusCode) -> Option<&str> {
    (status.is_client_error() || status.is_server_error()).then(|| status.as_str())
}
