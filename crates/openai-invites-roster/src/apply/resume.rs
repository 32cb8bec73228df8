//! Resuming with a journal: the rows an earlier run left under way (a request sent, no
//! outcome recorded). Those this run settles are read only once the settle delay since their
//! last request has passed, so that the read sees that request; those the plan does not
//! include (an email dropped from the roster, a revocation planned without `prune` now) are
//! reported, neither settled nor waited for.

use std::time::Duration;

use crate::journal::{JournalState, UnderWay, now_ms};
use crate::outcome::{Outcome, RowResult};
use crate::plan::Action;

/// How long to wait before reading the invites: until `settle_delay` after `last_intent_ms`
/// (the latest intent of a row to settle), never longer than `settle_delay` (a clock that
/// moved back, or an intent written by a machine whose clock is ahead).
pub(crate) fn wait(settle_delay: Duration, last_intent_ms: Option<u64>, now_ms: u64) -> Duration {
    let Some(at) = last_intent_ms else {
        return Duration::ZERO;
    };
    let ready = at.saturating_add(millis(settle_delay));
    Duration::from_millis(ready.saturating_sub(now_ms)).min(settle_delay)
}

/// Waits (tokio time) until the rows under way that `settles` picks can be read.
pub(crate) async fn wait_for(
    state: &JournalState,
    settles: impl Fn(&UnderWay) -> bool,
    settle_delay: Duration,
) {
    let last = state
        .under_way()
        .filter(|row| settles(row))
        .map(|row| row.at_ms)
        .max();
    let wait = wait(settle_delay, last, now_ms());
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}

/// The rows under way that none of `actions` is for, as results: outcome unknown, sorted by
/// email.
pub(crate) fn unplanned(state: &JournalState, actions: &[Action]) -> Vec<RowResult> {
    let mut rows: Vec<RowResult> = state
        .under_way()
        .filter(|row| !actions.iter().any(|a| row.is_for(a)))
        .map(|row| RowResult {
            email: row.email,
            line: None,
            action: row.action,
            outcome: Outcome::Unknown,
            invite_id: row.invite_id,
            request_id: None,
            message: Some(UNPLANNED.to_owned()),
        })
        .collect();
    rows.sort_by(|a, b| (&a.email, &a.invite_id).cmp(&(&b.email, &b.invite_id)));
    rows
}

/// What an unplanned row's result says.
pub(crate) const UNPLANNED: &str = "an earlier run sent a request for it and recorded no outcome; \
     not in this plan, so neither settled nor waited for: read the invites to see where it stands";

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn the_wait_runs_from_the_last_intent_and_never_exceeds_the_delay() {
        let now = 1_700_000_000_000;
        assert_eq!(wait(SECOND, None, now), Duration::ZERO);
        assert_eq!(wait(SECOND, Some(now), now), SECOND);
        assert_eq!(
            wait(SECOND, Some(now - 300), now),
            Duration::from_millis(700)
        );
        assert_eq!(wait(SECOND, Some(now - 1_000), now), Duration::ZERO);
        assert_eq!(wait(SECOND, Some(now - 60_000), now), Duration::ZERO);
        // An intent "from the future" (another machine's clock): at most the delay.
        assert_eq!(wait(SECOND, Some(now + 60_000), now), SECOND);
        assert_eq!(wait(Duration::ZERO, Some(now), now), Duration::ZERO);
    }
}
