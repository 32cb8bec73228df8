//! What can go wrong: a setting refused when the limiter is built, or a call to Redis that
//! did not answer in time.

use std::time::Duration;

/// A [`RedisLimiterBuilder`](crate::RedisLimiterBuilder) setting was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The Redis URL could not be parsed, or names a scheme this build cannot use (such as
    /// `rediss://`: this crate is built without TLS).
    #[error("invalid Redis URL: {0}")]
    Url(#[source] redis::RedisError),
    /// The key name is empty or holds `{` or `}`, which would break the keys' shared hash tag.
    #[error("invalid key name {0:?}: it must be non-empty and hold no `{{` or `}}`")]
    KeyName(String),
    /// A duration setting is zero.
    #[error("`{0}` must be longer than zero")]
    ZeroDuration(&'static str),
}

/// A call to Redis failed; the limiter counts it in
/// [`store_failures`](openai_invites::RateLimiter::store_failures) and answers by its
/// [`StoreDownPolicy`](crate::StoreDownPolicy). Under
/// [`Deny`](crate::StoreDownPolicy::Deny) it is the source of the
/// [`LimiterUnavailable`](openai_invites::layer::rate_limit::LimiterUnavailable) error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Redis did not answer within the limiter's timeout.
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection or the command failed.
    #[error("Redis call failed: {0}")]
    Redis(#[from] redis::RedisError),
    /// Redis answered something the scripts never return.
    #[error("unexpected answer from Redis: {0}")]
    Reply(String),
    /// Redis failed recently and is not asked again until the next probe (see
    /// [`probe_interval`](crate::RedisLimiterBuilder::probe_interval)).
    #[error("Redis is unreachable (it failed {0:?} ago); waiting for the next probe")]
    Down(Duration),
}
