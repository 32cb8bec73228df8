//! `--rate N/s|auto`: the client-side rate limit, fixed or following the service.
//!
//! ```ignore
//! assert!(matches!(rate::parse("auto")?, Rate::Auto));
//! let builder = Rate::Fixed(rate::parse_fixed("50/s")?).install(builder);
//! ```

use std::num::NonZeroU32;

use openai_invites::layer::rate_limit::AdaptiveLimiter;
use openai_invites::{ClientBuilder, Quota, defaults};

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

    /// Gives the client this rate limit.
    pub fn install(self, builder: ClientBuilder) -> ClientBuilder {
        match self {
            Self::Fixed(quota) => builder.rate_limit(quota),
            Self::Auto => builder.rate_limiter(AdaptiveLimiter::new(fallback())),
        }
    }
}

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
