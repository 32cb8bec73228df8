//! `RetryLayer`.

use std::sync::Arc;

use tower_layer::Layer;

use super::{Retry, RetryPolicy};

/// Retries failed attempts per a [`RetryPolicy`]. Clones share the policy and its budget.
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
