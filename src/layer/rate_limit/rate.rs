//! Rates as people write them (`10/s`, `600/m`, `5/2s`), read into a [`Quota`].

use std::num::NonZeroU32;
use std::time::Duration;

use governor::Quota;

/// Reads a rate written as `N/PERIOD` into a [`Quota`] of `N` requests per period, in bursts
/// of up to `N`: `10/s`, `600/m` (or `/min`), `3600/h`, `5/2s`, `1/500ms`; a bare `N` is per
/// second. For a command line's `--rate` or a configuration file.
///
/// ```
/// use std::time::Duration;
/// use openai_invites::parse_rate;
///
/// let quota = parse_rate("600/m")?;
/// assert_eq!(quota.replenish_interval(), Duration::from_millis(100));
/// assert_eq!(quota.burst_size().get(), 600);
/// assert_eq!(parse_rate("5/2s")?.replenish_interval(), Duration::from_millis(400));
/// assert!(parse_rate("0/s").is_err());
/// assert!(parse_rate("10/fortnight").is_err());
/// # let client = openai_invites::Client::builder().admin_key("sk-admin-x").rate_limit(quota).build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_rate(text: &str) -> Result<Quota, ParseRateError> {
    let bad = |why| ParseRateError {
        text: text.to_owned(),
        why,
    };
    let (count, per) = text.split_once('/').unwrap_or((text, "s"));
    let count = count
        .trim()
        .parse::<u32>()
        .map_err(|_| bad("the count is not a whole number"))?;
    let count = NonZeroU32::new(count).ok_or_else(|| bad("the count must be more than 0"))?;
    let period =
        period(per.trim()).ok_or_else(|| bad("the period is not like s, m, h, 2s or 500ms"))?;
    Quota::with_period(period / count.get())
        .map(|quota| quota.allow_burst(count))
        .ok_or_else(|| bad("the rate is too high: more than one request per nanosecond"))
}

/// `s`, `m`, `min`, `h`, `ms`, each with an optional whole number before it (`2s`).
fn period(text: &str) -> Option<Duration> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let number: u64 = if number.is_empty() {
        1
    } else {
        number.parse().ok()?
    };
    let unit = match unit {
        "ms" => Duration::from_millis(1),
        "s" => Duration::from_secs(1),
        "m" | "min" => Duration::from_secs(60),
        "h" => Duration::from_secs(3600),
        _ => return None,
    };
    unit.checked_mul(u32::try_from(number).ok()?)
        .filter(|period| !period.is_zero())
}

/// Why a text is not a rate; its `Display` quotes the text and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a rate such as 10/s, 600/m or 5/2s: {why}")]
pub struct ParseRateError {
    text: String,
    why: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        let interval = |text| parse_rate(text).map(|q| q.replenish_interval());
        assert_eq!(interval("10/s"), Ok(Duration::from_millis(100)));
        assert_eq!(interval("5"), Ok(Duration::from_millis(200)));
        assert_eq!(interval(" 60 / min "), Ok(Duration::from_secs(1)));
        assert_eq!(interval("1/2s"), Ok(Duration::from_secs(2)));
        assert_eq!(interval("2/500ms"), Ok(Duration::from_millis(250)));
        assert_eq!(interval("7200/2h"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_rate("10/s").map(|q| q.burst_size().get()), Ok(10));
        for bad in [
            "0/s",
            "x/s",
            "10/fortnight",
            "-1/s",
            "",
            "10/0s",
            "10/s2",
            "1/99999999999h",
        ] {
            let error = parse_rate(bad).unwrap_err();
            assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
        }
    }
}
