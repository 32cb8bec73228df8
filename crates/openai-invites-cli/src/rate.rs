//! `--rate N/s|auto`: the client-side rate limit, fixed or following the service.
//!
//! ```ignore
//! assert!(matches!(rate::parse("auto")?, Rate::Auto));
//! let builder = rate::parse("50/s")?.install(builder, None)?; // or Some(&shared): on Redis
//! ```

use std::num::NonZeroU32;
use std::time::Duration;

use openai_invites::layer::rate_limit::{AdaptiveLimiter, PacedLimiter};
use openai_invites::{ClientBuilder, Quota, defaults};

use crate::exit::Failure;
use crate::shared_limit::SharedLimit;

/// How fast the client may send; by default, the library's default rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// At most this quota.
    Fixed(Quota),
    /// This quota's rate, evenly paced: each request its own slot, no bursts.
    Steady(Quota),
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
    /// The same rate without bursts, for a long run of changes that must not overrun a quota
    /// counted per window: requests evenly spaced, each window of the rate ([`WINDOW_MARGIN`])
    /// longer (`50/s` is 50 requests in 1.02 s, one every 20.4 ms). In process, each request
    /// is given its own slot ([`PacedLimiter`]), so a late timer does not slow the run down.
    pub fn steady(self) -> Self {
        match self {
            Self::Fixed(quota) => {
                // The quota's window: `N/period` is parsed as N requests in bursts of N.
                let per_window = quota.burst_size().get();
                let interval = quota.replenish_interval() + WINDOW_MARGIN / per_window;
                Self::Steady(Quota::with_period(interval).unwrap_or(quota))
            }
            Self::Steady(_) | Self::Auto => self,
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
            (Self::Steady(quota), None) => builder.rate_limiter(PacedLimiter::new(quota)),
            (Self::Fixed(quota), Some(shared)) => shared.install(builder, quota)?,
            (Self::Steady(quota), Some(shared)) => {
                shared.install(builder, quota.allow_burst(NonZeroU32::MIN))?
            }
            (Self::Auto, None) => builder.rate_limiter(AdaptiveLimiter::new(fallback())),
            (Self::Auto, Some(_)) => return Err(Failure::Refused(AUTO_NOT_SHARED.to_owned())),
        })
    }
}

/// How much longer than the rate's own a steady run makes each window: a request that
/// reaches the service a few milliseconds later after its slot than the one a window's worth
/// after it would otherwise open a window that the later one overruns (a 429). A time, not a
/// share: it covers the lateness of a request, whatever the rate. Measured against the fake's
/// fixed windows at 50/s: none, 9 and 12 429s per 1,000 rows; 20 ms, none (BENCHMARKS.md,
/// section 9). The Redis limiter's replicas needed the same.
pub const WINDOW_MARGIN: Duration = Duration::from_millis(20);

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
    use super::*;

    #[test]
    fn auto_or_a_rate() {
        assert_eq!(parse(" Auto ").unwrap(), Rate::Auto);
        let Rate::Fixed(quota) = parse("50/s").unwrap() else {
            panic!()
        };
        assert_eq!(quota.replenish_interval(), Duration::from_millis(20));
        assert!(parse("fast").unwrap_err().contains("auto"));
        let Rate::Steady(steady) = Rate::Fixed(quota).steady() else {
            panic!()
        };
        assert_eq!(steady.replenish_interval(), Duration::from_micros(20_400));
    }
}
