//! Timestamps: exact RFC 3339 for scripts, relative ("3 days ago") for people.
//!
//! ```ignore
//! assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
//! assert_eq!(relative(1_700_000_000, 1_700_000_000 - 3 * 86_400), "3 days ago");
//! ```

use std::time::{Duration, UNIX_EPOCH};

/// The last second RFC 3339 can write (9999-12-31T23:59:59Z).
const LAST_RFC3339_SECOND: i64 = 253_402_300_799;

/// `2023-11-14T22:13:20Z`; a time RFC 3339 cannot write (before 1970 here, after 9999) stays
/// the service's number, never a panic.
pub fn rfc3339(unix: i64) -> String {
    match u64::try_from(unix) {
        Ok(secs) if unix <= LAST_RFC3339_SECOND => {
            humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
        }
        _ => unix.to_string(),
    }
}

/// `just now`, `5 minutes ago`, `in 6 days`: the largest whole unit, as people read it.
pub fn relative(now: i64, then: i64) -> String {
    let delta = then.saturating_sub(now);
    let ago = delta < 0;
    let secs = delta.unsigned_abs();
    const UNITS: [(u64, &str); 6] = [
        (365 * 86_400, "year"),
        (30 * 86_400, "month"),
        (7 * 86_400, "week"),
        (86_400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ];
    let Some((size, name)) = UNITS.iter().find(|(size, _)| secs >= *size) else {
        return "just now".to_owned();
    };
    let n = secs / size;
    let unit = if n == 1 {
        (*name).to_owned()
    } else {
        format!("{name}s")
    };
    if ago {
        format!("{n} {unit} ago")
    } else {
        format!("in {n} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(LAST_RFC3339_SECOND), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(LAST_RFC3339_SECOND + 1), "253402300800");
        assert_eq!(rfc3339(-1), "-1");
        assert_eq!(rfc3339(i64::MIN), i64::MIN.to_string());
    }

    #[test]
    fn relative_times() {
        let now = 1_700_000_000;
        assert_eq!(relative(now, now), "just now");
        assert_eq!(relative(now, now - 59), "just now");
        assert_eq!(relative(now, now - 60), "1 minute ago");
        assert_eq!(relative(now, now - 2 * 3600 - 5), "2 hours ago");
        assert_eq!(relative(now, now - 3 * 86_400), "3 days ago");
        assert_eq!(relative(now, now + 6 * 86_400 + 10), "in 6 days");
        assert_eq!(relative(now, now + 14 * 86_400), "in 2 weeks");
        assert_eq!(relative(now, now - 90 * 86_400), "3 months ago");
        assert_eq!(relative(now, now - 800 * 86_400), "2 years ago");
        assert_eq!(relative(i64::MAX, i64::MIN), "292471208677 years ago");
    }
}
