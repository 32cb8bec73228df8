//! The optional server-side request quota: a fixed window of `requests` per `per`.
//!
//! A fixed window is the simplest rule a test can predict: the window opens with the first
//! request and, once `per` has passed, the next request opens a fresh one. Runs on tokio's
//! clock so paused-time tests control it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use openai_invites_core::headers;
use tokio::time::Instant;

use crate::control_error::ControlError;
use crate::envelope::Failure;

/// A server-side request quota: `requests` authenticated requests per fixed window of `per`.
///
/// Written `N/PERIOD` on the command line and in the control API, with a Go-style period as
/// the real service's `x-ratelimit-reset-requests` uses (`1s`, `500ms`, `1m30s`):
///
/// ```
/// use std::time::Duration;
/// use openai_invites_mock::RequestQuota;
///
/// let quota: RequestQuota = "100/1m".parse()?;
/// assert_eq!(quota, RequestQuota::new(100, Duration::from_secs(60)));
/// assert_eq!(quota.to_string(), "100/1m0s");
/// assert!("100".parse::<RequestQuota>().is_err());
/// assert!("5/0s".parse::<RequestQuota>().is_err()); // an empty window is no quota
/// # Ok::<(), openai_invites_mock::ControlError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestQuota {
    /// Requests allowed in one window (0 refuses every request).
    pub requests: u32,
    /// The window's length (more than zero).
    pub per: Duration,
}

impl RequestQuota {
    /// `requests` per `per`.
    pub fn new(requests: u32, per: Duration) -> Self {
        Self { requests, per }
    }

    /// Parses a period such as `1s`, `250ms` or `1m30s`; refuses zero.
    pub(crate) fn parse_period(text: &str) -> Result<Duration, ControlError> {
        headers::parse_go_duration(text)
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                ControlError::invalid(
                    "per",
                    format!("`{text}` is not a period such as 1s, 500ms or 1m30s"),
                )
            })
    }
}

impl FromStr for RequestQuota {
    type Err = ControlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (requests, per) = text.split_once('/').ok_or_else(|| {
            ControlError::invalid(
                "quota",
                format!("`{text}` is not N/PERIOD, e.g. 100/1m or 5/1s"),
            )
        })?;
        let requests = requests.trim().parse().map_err(|_| {
            ControlError::invalid(
                "requests",
                format!("`{requests}` is not a number of requests"),
            )
        })?;
        Ok(Self::new(requests, Self::parse_period(per.trim())?))
    }
}

impl fmt::Display for RequestQuota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.requests, go_duration(self.per))
    }
}

/// The current window.
#[derive(Debug)]
pub(crate) struct Quota {
    config: RequestQuota,
    window_start: Option<Instant>,
    used: u32,
}

impl Quota {
    pub(crate) fn new(config: RequestQuota) -> Self {
        Self {
            config,
            window_start: None,
            used: 0,
        }
    }

    /// Takes one request from the window; on success the `x-ratelimit-*` headers to add, on
    /// refusal the 429.
    pub(crate) fn take(&mut self, now: Instant) -> Result<HeaderMap, Failure> {
        let start = match self.window_start {
            Some(start) if now.duration_since(start) < self.config.per => start,
            _ => {
                self.window_start = Some(now);
                self.used = 0;
                now
            }
        };
        let reset = self.config.per.saturating_sub(now.duration_since(start));
        if self.used >= self.config.requests {
            let mut failure = Failure::new(
                StatusCode::TOO_MANY_REQUESTS,
                "requests",
                format!(
                    "Rate limit reached for requests: Limit {}, Used {}, Requested 1. \
                     Please try again in {}.",
                    self.config.requests,
                    self.used,
                    go_duration(reset)
                ),
            )
            .code("rate_limit_exceeded");
            let ms = u64::try_from(reset.as_millis().max(1)).unwrap_or(u64::MAX);
            let secs = reset.as_secs() + u64::from(reset.subsec_nanos() > 0);
            failure.headers = self
                .headers(0, reset)
                .into_iter()
                .filter_map(|(k, v)| Some((k?, v)))
                .collect();
            failure = failure
                .header(
                    HeaderName::from_static(headers::RETRY_AFTER_MS),
                    HeaderValue::from(ms),
                )
                .header(
                    HeaderName::from_static(headers::RETRY_AFTER),
                    HeaderValue::from(secs.max(1)),
                );
            return Err(failure);
        }
        self.used += 1;
        Ok(self.headers(self.config.requests - self.used, reset))
    }

    pub(crate) fn config(&self) -> RequestQuota {
        self.config
    }

    fn headers(&self, remaining: u32, reset: Duration) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            headers::RATELIMIT_LIMIT_REQUESTS,
            HeaderValue::from(self.config.requests),
        );
        h.insert(
            headers::RATELIMIT_REMAINING_REQUESTS,
            HeaderValue::from(remaining),
        );
        if let Ok(value) = HeaderValue::from_str(&go_duration(reset)) {
            h.insert(headers::RATELIMIT_RESET_REQUESTS, value);
        }
        h
    }
}

/// Formats like Go's `time.Duration.String()` at millisecond precision, rounded up: `12ms`,
/// `1s`, `1.5s`, `6m0s`, `1h0m0s`.
pub(crate) fn go_duration(d: Duration) -> String {
    let ms = d.as_millis() + u128::from(d.subsec_nanos() % 1_000_000 > 0);
    if ms == 0 {
        return "0s".to_owned();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, frac) = (rest / 1000, rest % 1000);
    let mut seconds = s.to_string();
    if frac > 0 {
        let digits = format!("{frac:03}");
        seconds.push('.');
        seconds.push_str(digits.trim_end_matches('0'));
    }
    match (h, m) {
        (0, 0) => format!("{seconds}s"),
        (0, m) => format!("{m}m{seconds}s"),
        (h, m) => format!("{h}h{m}m{seconds}s"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_round_trip_through_the_core_parser() {
        for (d, text) in [
            (Duration::ZERO, "0s"),
            (Duration::from_micros(1), "1ms"),
            (Duration::from_millis(12), "12ms"),
            (Duration::from_secs(1), "1s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_secs(360), "6m0s"),
            (Duration::from_secs(3600), "1h0m0s"),
            (Duration::from_millis(3_723_250), "1h2m3.25s"),
        ] {
            assert_eq!(go_duration(d), text);
            let parsed = headers::parse_go_duration(text).unwrap();
            assert!(
                parsed >= d && parsed - d < Duration::from_millis(1),
                "{text}"
            );
        }
    }

    #[test]
    fn fixed_window() {
        let t0 = Instant::now();
        let mut q = Quota::new(RequestQuota::new(2, Duration::from_secs(1)));
        let first = q.take(t0).unwrap();
        assert_eq!(first[headers::RATELIMIT_REMAINING_REQUESTS], "1");
        assert_eq!(first[headers::RATELIMIT_RESET_REQUESTS], "1s");
        q.take(t0 + Duration::from_millis(100)).unwrap();
        let refused = q.take(t0 + Duration::from_millis(250)).unwrap_err();
        assert_eq!(refused.body.code.as_deref(), Some("rate_limit_exceeded"));
        let refused = refused.into_response();
        assert_eq!(refused.status(), 429);
        let h = refused.headers();
        assert_eq!(h[headers::RETRY_AFTER_MS], "750");
        assert_eq!(h[headers::RETRY_AFTER], "1");
        assert_eq!(h[headers::RATELIMIT_RESET_REQUESTS], "750ms");
        assert_eq!(h[headers::RATELIMIT_REMAINING_REQUESTS], "0");
        // A new window after `per`.
        let again = q.take(t0 + Duration::from_secs(1)).unwrap();
        assert_eq!(again[headers::RATELIMIT_REMAINING_REQUESTS], "1");
    }

    #[test]
    fn quota_text() {
        let q: RequestQuota = " 5 / 250ms ".parse().unwrap();
        assert_eq!(q, RequestQuota::new(5, Duration::from_millis(250)));
        assert_eq!(q.to_string(), "5/250ms");
        assert_eq!("0/1h".parse::<RequestQuota>().unwrap().requests, 0);
        for bad in ["", "5", "x/1s", "-1/1s", "5/", "5/0", "5/soon", "5/1s/2"] {
            let err = bad.parse::<RequestQuota>().unwrap_err();
            assert!(matches!(err, ControlError::Invalid { .. }), "{bad}: {err}");
        }
    }
}
