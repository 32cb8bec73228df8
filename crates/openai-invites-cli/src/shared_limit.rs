//! `--redis-url URL [--redis-name NAME]`: the `--rate` budget kept on Redis, shared by every
//! process, on any machine, that uses the same Redis and name (an `apply` split across
//! machines, or run beside a service that uses the library's `RedisLimiter`): one quota for
//! all, and a 429 seen by one pauses all.
//!
//! ```ignore
//! let shared = SharedLimit::new(url, "org-abc".into());
//! let builder = builder.rate_limiter(shared.limiter(quota)?);
//! ```

use std::fmt;

use openai_invites::Quota;
use openai_invites_redis::RedisLimiter;

use crate::exit::Failure;

/// Where the Redis URL comes from when `--redis-url` is not given (a URL with a password is
/// better there than on the command line, where `ps` shows it).
pub const ENV_REDIS_URL: &str = "OPENAI_INVITES_REDIS_URL";

/// A limit shared on Redis: where, and under which name.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedLimit {
    url: String,
    name: String,
}

impl SharedLimit {
    pub fn new(url: String, name: String) -> Self {
        Self { url, name }
    }

    /// A limiter allowing `quota` to every process that shares this limit. Nothing connects
    /// yet: while Redis cannot be reached, the process keeps to `quota` on its own.
    pub fn limiter(&self, quota: Quota) -> Result<RedisLimiter, Failure> {
        RedisLimiter::builder(self.url.as_str(), quota)
            .name(self.name.as_str())
            .build()
            // The library's errors never repeat the URL (it may hold a password).
            .map_err(|e| Failure::Refused(format!("--redis-url / --redis-name: {e}")))
    }
}

// The URL may hold a password: it is never shown.
impl fmt::Debug for SharedLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLimit")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    #[test]
    fn a_bad_url_or_name_is_refused_without_showing_the_password() {
        let quota = Quota::per_second(NonZeroU32::MIN);
        let shared = |url: &str, name: &str| SharedLimit::new(url.into(), name.into());
        let ok = shared("redis://:hunter2@127.0.0.1:6379", "org-abc");
        assert!(ok.limiter(quota).is_ok());
        assert!(!format!("{ok:?}").contains("hunter2"));
        for bad in [
            shared("rediss://:hunter2@127.0.0.1:6380", "org-abc"),
            shared("redis://:hunter2@127.0.0.1:notaport", "org-abc"),
            shared("redis://:hunter2@127.0.0.1:6379", "a{b}"),
        ] {
            let failure = bad.limiter(quota).unwrap_err();
            let text = failure.to_string();
            assert!(matches!(failure, Failure::Refused(_)), "{text}");
            assert!(
                text.starts_with("--redis-url") && !text.contains("hunter2"),
                "{text}"
            );
        }
    }
}
