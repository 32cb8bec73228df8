//! A sketch of the cheapest possible client with the default stack's guarantees: every layer
//! fused into one function, keeping only the per-call work that no structure avoids. It is
//! not a client (it never retries, and it answers only success or failure); it measures how
//! close to the bare client a fused design could get, so that the report's claims about it are
//! reproducible. It is optimistic: a real fused future would add its own state machine.

use std::num::NonZeroU32;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Uri};
use openai_invites::layer::rate_limit::{Admission, GovernorLimiter};
use openai_invites::transport::HyperTransport;
use openai_invites::{BaseUrl, Operation, OperationMeta, Quota, RetryBudget};
use smallvec::SmallVec;
use tokio::time::Instant;
use tower::ServiceExt;
use tracing::field::Empty;

use crate::common::calls::Identity;
use crate::runners::ATTEMPT_TIMEOUT;

/// The operation span, as the stack's.
fn call_span(meta: &OperationMeta) -> tracing::Span {
    tracing::info_span!(
        "invites.call",
        otel.kind = "client",
        otel.name = meta.span_name,
        openai.operation = meta.name,
        error.type = Empty,
    )
}

/// The client's default total timeout.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(600);

/// What the default stack keeps to send a request again.
type RetryCopy = (
    Method,
    Uri,
    SmallVec<[(HeaderName, HeaderValue); 2]>,
    Bytes,
    Option<OperationMeta>,
);

/// The shared parts: transport, auth headers, the retry budget and the rate limiter, as the
/// client's defaults (the quota, as for the client runner, is never reached).
pub struct Sketch {
    transport: HyperTransport,
    identity: Identity,
    budget: RetryBudget,
    limiter: GovernorLimiter,
}

impl Sketch {
    pub fn new(transport: HyperTransport, identity: Identity) -> Self {
        Self {
            transport,
            identity,
            budget: RetryBudget::default(),
            limiter: GovernorLimiter::new(Quota::per_second(NonZeroU32::MAX)),
        }
    }

    /// One call: the operation span, the call's deadline, the copy a retry would need, a
    /// budget deposit, a rate-limiter permit, the auth headers, the attempt span, one timer at
    /// the earlier of the attempt's timeout and the deadline, the transport, decode.
    pub async fn call<O: Operation>(&self, op: O, base: &BaseUrl) -> bool {
        let Ok(mut request) = op.encode(base) else {
            return false;
        };
        let call_span = call_span(&O::META);
        let deadline = Instant::now() + TOTAL_TIMEOUT;
        let retry_copy: RetryCopy = (
            request.method().clone(),
            request.uri().clone(),
            request
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            request.body().clone(),
            request.extensions().get::<OperationMeta>().cloned(),
        );
        self.budget.deposit();
        if self.limiter.try_acquire() != Admission::Granted {
            return false;
        }
        self.identity.apply(&mut request);
        let attempt_span = tracing::info_span!(
            "invites.attempt",
            otel.kind = "client",
            http.request.method = request.method().as_str(),
            http.request.resend_count = Empty,
            error.type = Empty,
        );
        let attempts = 1u32;
        let timer = (Instant::now() + ATTEMPT_TIMEOUT).min(deadline);
        let sent = self.transport.clone().oneshot(request);
        let Ok(Ok(response)) = tokio::time::timeout_at(timer, sent).await else {
            return false;
        };
        // Kept alive to the end, as the stack keeps them.
        std::hint::black_box((&retry_copy, attempts, &call_span, &attempt_span));
        response.status().is_success() && O::decode(response).is_ok()
    }
}
