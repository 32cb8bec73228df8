//! Response headers that retry and rate-limit layers read.
//!
//! Every parser here is total: a missing or malformed value is `None`, never a panic.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use openai_invites_core::headers;
//!
//! let mut h = http::HeaderMap::new();
//! h.insert("retry-after-ms", "150.5".parse()?);
//! h.insert("retry-after", "3".parse()?);
//! assert_eq!(headers::retry_after(&h, SystemTime::now()), Some(Duration::from_micros(150_500)));
//! assert_eq!(headers::parse_go_duration("6m0s"), Some(Duration::from_secs(360)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::{Duration, SystemTime};

use http::HeaderMap;

/// `x-request-id`: the id support asks for.
pub const REQUEST_ID: &str = "x-request-id";
/// `retry-after-ms`: float milliseconds; wins over `retry-after`.
pub const RETRY_AFTER_MS: &str = "retry-after-ms";
/// `retry-after`: seconds (integer or float) or an HTTP-date.
pub const RETRY_AFTER: &str = "retry-after";
/// `x-should-retry`: the service's own verdict, `true` or `false`.
pub const SHOULD_RETRY: &str = "x-should-retry";
/// `x-ratelimit-limit-requests`.
pub const RATELIMIT_LIMIT_REQUESTS: &str = "x-ratelimit-limit-requests";
/// `x-ratelimit-remaining-requests`.
pub const RATELIMIT_REMAINING_REQUESTS: &str = "x-ratelimit-remaining-requests";
/// `x-ratelimit-reset-requests`: a Go-style duration until the quota is full again.
pub const RATELIMIT_RESET_REQUESTS: &str = "x-ratelimit-reset-requests";

fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// The `x-request-id` header.
pub fn request_id(headers: &HeaderMap) -> Option<&str> {
    text(headers, REQUEST_ID).filter(|id| !id.is_empty())
}

/// How long the service asks to wait: `retry-after-ms`, else `retry-after` (relative to `now`
/// when it is an HTTP-date; a date in the past means zero).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = text(headers, RETRY_AFTER_MS).and_then(non_negative_f64) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let value = text(headers, RETRY_AFTER)?;
    if let Some(secs) = non_negative_f64(value) {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

fn non_negative_f64(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

/// The `x-should-retry` verdict (`true` / `false`, case-insensitive).
pub fn should_retry(headers: &HeaderMap) -> Option<bool> {
    let value = text(headers, SHOULD_RETRY)?;
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The request-quota headers of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitHeaders {
    /// `x-ratelimit-limit-requests`.
    pub limit_requests: Option<u64>,
    /// `x-ratelimit-remaining-requests`.
    pub remaining_requests: Option<u64>,
    /// `x-ratelimit-reset-requests`: time until the quota is full again (not a retry delay).
    pub reset_requests: Option<Duration>,
}

impl RateLimitHeaders {
    /// Reads the three headers; each is `None` when absent or malformed.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let int = |name| text(headers, name).and_then(|v| v.parse().ok());
        Self {
            limit_requests: int(RATELIMIT_LIMIT_REQUESTS),
            remaining_requests: int(RATELIMIT_REMAINING_REQUESTS),
            reset_requests: text(headers, RATELIMIT_RESET_REQUESTS).and_then(parse_go_duration),
        }
    }
}

/// Parses a Go `time.Duration` string such as `1s`, `6m0s`, `12ms`, `1.5s`, `1h2m3.5s`, `0`.
///
/// Units: `ns`, `us` (`µs`), `ms`, `s`, `m`, `h`. Negative or overflowing values are `None`.
pub fn parse_go_duration(input: &str) -> Option<Duration> {
    let mut rest = input.trim();
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total_nanos: f64 = 0.0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(number_len);
        if number.is_empty() || number == "." {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let nanos_per_unit = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total_nanos += value * nanos_per_unit;
        rest = tail;
    }
    Duration::try_from_secs_f64(total_nanos / 1e9).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            retry_after(&map(&[("retry-after", "2")]), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&map(&[("retry-after", "1.5")]), now),
            Some(Duration::from_millis(1500))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            retry_after(&map(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(
            retry_after(&map(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(
                &map(&[("retry-after-ms", "100"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_millis(100))
        );
        // A malformed ms hint falls back to retry-after.
        assert_eq!(
            retry_after(
                &map(&[("retry-after-ms", "soon"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_secs(9))
        );
    }

    #[test]
    fn malformed_retry_after_is_ignored() {
        let now = SystemTime::now();
        for bad in ["-1", "NaN", "inf", "1e400", "tomorrow", ""] {
            assert_eq!(
                retry_after(&map(&[("retry-after", bad)]), now),
                None,
                "{bad}"
            );
            assert_eq!(
                retry_after(&map(&[("retry-after-ms", bad)]), now),
                None,
                "{bad}"
            );
        }
    }

    #[test]
    fn should_retry_values() {
        assert_eq!(
            should_retry(&map(&[("x-should-retry", "true")])),
            Some(true)
        );
        assert_eq!(
            should_retry(&map(&[("x-should-retry", "FALSE")])),
            Some(false)
        );
        assert_eq!(should_retry(&map(&[("x-should-retry", "maybe")])), None);
        assert_eq!(should_retry(&HeaderMap::new()), None);
    }

    #[test]
    fn go_durations() {
        for (text, ms) in [
            ("1s", 1000),
            ("6m0s", 360_000),
            ("12ms", 12),
            ("1.5s", 1500),
            ("1h2m3s", 3_723_000),
            ("0", 0),
            ("0s", 0),
            ("500us", 0),
        ] {
            assert_eq!(
                parse_go_duration(text).map(|d| d.as_millis()),
                Some(ms),
                "{text}"
            );
        }
        assert_eq!(parse_go_duration("500us"), Some(Duration::from_micros(500)));
        for bad in ["", "s", "1", "1x", "-1s", "1..2s", ".s", "1e9h"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn rate_limit_headers() {
        let h = map(&[
            ("x-ratelimit-limit-requests", "60"),
            ("x-ratelimit-remaining-requests", "59"),
            ("x-ratelimit-reset-requests", "1s"),
        ]);
        assert_eq!(
            RateLimitHeaders::from_headers(&h),
            RateLimitHeaders {
                limit_requests: Some(60),
                remaining_requests: Some(59),
                reset_requests: Some(Duration::from_secs(1)),
            }
        );
        let bad = map(&[("x-ratelimit-limit-requests", "many")]);
        assert_eq!(
            RateLimitHeaders::from_headers(&bad),
            RateLimitHeaders::default()
        );
    }
}
