//! `RetryLayer`.

use std::sync::Arc;

use tower_layer::Layer;

use super::{Retry, RetryPolicy};

/// Retries failed attempts per a [`RetryPolicy`]. Clones share the policy and its budget.
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
#[derive(Debug, Clone)]
pub struct RetryLayer {
    policy: Arc<RetryPolicy>,
}

impl RetryLayer {
    /// A layer applying `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Retry::new(inner, self.policy.clone())
    }
}
