//! `--redis-url URL [--redis-name NAME]`: the `--rate` budget kept on Redis, shared by every
//! process, on any machine, that uses the same Redis and name (an `apply` split across
//! machines, or run beside a service that uses the library's `RedisLimiter`): one quota for
//! all, and a 429 seen by one pauses all.
//!
//! Redis support is the feature `redis` (on by default); a build without it refuses the flag,
//! and this module is the only place that knows.
//!
//! ```ignore
//! let shared = SharedLimit::new(url, Some("org-abc".into()));
//! let builder = shared.install(builder, quota)?;
//! ```

use std::fmt;

use openai_invites::{ClientBuilder, Quota};

use crate::exit::Failure;

/// Where the Redis URL comes from when `--redis-url` is not given (a URL with a password is
/// better there than on the command line, where `ps` shows it).
pub const ENV_REDIS_URL: &str = "OPENAI_INVITES_REDIS_URL";

/// A limit shared on Redis: where, and under which name (the limiter's default without one).
#[derive(Clone, PartialEq, Eq)]
pub struct SharedLimit {
    url: String,
    name: Option<String>,
}

impl SharedLimit {
    pub fn new(url: String, name: Option<String>) -> Self {
        Self { url, name }
    }

    /// Gives the client a limiter allowing `quota` to every process that shares this limit.
    /// Nothing connects yet: while Redis cannot be reached, the process keeps to `quota` on
    /// its own.
    #[cfg(feature = "redis")]
    pub fn install(&self, builder: ClientBuilder, quota: Quota) -> Result<ClientBuilder, Failure> {
        let mut limiter = openai_invites_redis::RedisLimiter::builder(self.url.as_str(), quota);
        if let Some(name) = &self.name {
            limiter = limiter.name(name.as_str());
        }
        let limiter = limiter
            .build()
            // The library's errors never repeat the URL (it may hold a password).
            .map_err(|e| Failure::Refused(format!("--redis-url / --redis-name: {e}")))?;
        Ok(builder.rate_limiter(limiter))
    }

    /// This build has no Redis support: refused.
    #[cfg(not(feature = "redis"))]
    pub fn install(&self, _: ClientBuilder, _: Quota) -> Result<ClientBuilder, Failure> {
        Err(Failure::Refused(
            "--redis-url: this build has no Redis support (build it with the feature `redis`)"
                .to_owned(),
        ))
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

#[cfg(all(test, feature = "redis"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::num::NonZeroU32;

    use openai_invites::Client;

    use super::*;

    #[test]
    fn a_bad_url_or_name_is_refused_without_showing_the_password() {
        let quota = Quota::per_second(NonZeroU32::MIN);
        let shared = |url: &str, name: &str| SharedLimit::new(url.into(), Some(name.into()));
        let install = |shared: &SharedLimit| shared.install(Client::builder(), quota);
        let ok = shared("redis://:hunter2@127.0.0.1:6379", "org-abc");
        assert!(install(&ok).is_ok());
        assert!(!format!("{ok:?}").contains("hunter2"));
        let unnamed = SharedLimit::new("redis://127.0.0.1:6379".into(), None);
        assert!(install(&unnamed).is_ok());
        for bad in [
            shared("rediss://:hunter2@127.0.0.1:6380", "org-abc"),
            shared("redis://:hunter2@127.0.0.1:notaport", "org-abc"),
            shared("redis://:hunter2@127.0.0.1:6379", "a{b}"),
        ] {
            let Err(failure) = install(&bad) else {
                panic!("{bad:?} accepted")
            };
            let text = failure.to_string();
            assert!(matches!(failure, Failure::Refused(_)), "{text}");
            assert!(
                text.starts_with("--redis-url") && !text.contains("hunter2"),
                "{text}"
            );
        }
    }
}
