//! `RetryLayer`.

use std::sync::Arc;

use tower_layer::Layer;

use super::{Retry, RetryPolicy};
use crate::layer::metrics::Recorder;

/// Retries failed attempts per a [`RetryPolicy`]. Clones share the policy and its budget.
///
/// In the client's stack, why a reconciliation could not tell (which may quote the service's
/// answer) is scrubbed of the admin key and proxy credentials before it is logged; in a stack
/// of your own there is no client to know them.
///
/// ```
/// use openai_invites::layer::retry::{RetryLayer, RetryPolicy};
/// use tower::ServiceBuilder;
///
/// # let transport = tower::service_fn(|_: http::Request<bytes::Bytes>| async {
/// #     Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::new()))
/// # });
/// let retried = ServiceBuilder::new()
///     .layer(RetryLayer::new(RetryPolicy { max_retries: 4, ..RetryPolicy::default() }))
///     .service(transport);
/// # let _ = retried;
/// ```
#[derive(Clone)]
pub struct RetryLayer {
    policy: Arc<RetryPolicy>,
    recorder: Recorder,
}

impl RetryLayer {
    /// A layer applying `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
            recorder: Recorder::default(),
        }
    }

    /// Records retries and reconciliations into the client's instruments.
    pub(crate) fn recorder(mut self, recorder: Recorder) -> Self {
        self.recorder = recorder;
        self
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Retry::new(inner, self.policy.clone(), self.recorder.clone())
    }
}

impl std::fmt::Debug for RetryLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryLayer")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
