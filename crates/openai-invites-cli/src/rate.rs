//! `--rate N/s|auto`: the client-side rate limit, fixed or following the service.
//!
//! ```ignore
//! assert!(matches!(rate::parse("auto")?, Rate::Auto));
//! let builder = rate::parse("50/s")?.install(builder, None)?; // or Some(&shared): on Redis
//! ```

use std::num::NonZeroU32;

use openai_invites::layer::rate_limit::AdaptiveLimiter;
use openai_invites::{ClientBuilder, Quota, defaults};

use crate::exit::Failure;
use crate::shared_limit::SharedLimit;

/// How fast the client may send; by default, the library's default rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// At most this quota.
    Fixed(Quota),
    /// The pace the service announces in its `x-ratelimit-*` headers; the library's default
    /// rate until it does.
    Auto,
}

/// `auto`, or a rate such as `10/s`, `600/m`, `5/2s`.
pub fn parse(text: &str) -> Result<Rate, String> {
    if text.trim().eq_ignore_ascii_case("auto") {
        return Ok(Rate::Auto);
    }
    openai_invites::parse_rate(text)
        .map(Rate::Fixed)
        .map_err(|e| format!("{e}, or auto"))
}

impl Rate {
    /// The same rate without bursts: requests evenly spaced (`50/s` is one every 20 ms), for
    /// a long run of changes that must never overrun a quota counted per window.
    pub fn steady(self) -> Self {
        match self {
            Self::Fixed(quota) => Self::Fixed(quota.allow_burst(NonZeroU32::MIN)),
            Self::Auto => Self::Auto,
        }
    }

    /// Gives the client this rate limit: in process, or `shared` on Redis.
    pub fn install(
        self,
        builder: ClientBuilder,
        shared: Option<&SharedLimit>,
    ) -> Result<ClientBuilder, Failure> {
        Ok(match (self, shared) {
            (Self::Fixed(quota), None) => builder.rate_limit(quota),
            (Self::Fixed(quota), Some(shared)) => shared.install(builder, quota)?,
            (Self::Auto, None) => builder.rate_limiter(AdaptiveLimiter::new(fallback())),
            (Self::Auto, Some(_)) => return Err(Failure::Refused(AUTO_NOT_SHARED.to_owned())),
        })
    }
}

/// Why `--rate auto` and `--redis-url` do not go together.
pub const AUTO_NOT_SHARED: &str = "--rate auto follows what the service tells this process \
     alone, so it cannot be shared on Redis: give --redis-url a fixed rate (e.g. --rate 50/s)";

impl Default for Rate {
    fn default() -> Self {
        Self::Fixed(fallback())
    }
}

/// The library's default rate, which `auto` paces at until the service says.
fn fallback() -> Quota {
    let rate = NonZeroU32::new(defaults::REQUESTS_PER_SECOND).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(rate).allow_burst(rate)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn auto_or_a_rate() {
        assert_eq!(parse(" Auto ").unwrap(), Rate::Auto);
        let Rate::Fixed(quota) = parse("50/s").unwrap() else {
            panic!()
        };
        assert_eq!(quota.replenish_interval(), Duration::from_millis(20));
        assert!(parse("fast").unwrap_err().contains("auto"));
        let Rate::Fixed(steady) = Rate::Fixed(quota).steady() else {
            panic!()
        };
        assert_eq!(steady.replenish_interval(), Duration::from_millis(20));
        assert_eq!(steady.burst_size().get(), 1);
    }
}
