//! `Seed::demo`: a small organization to show and try things on, the same for the command
//! line's `--demo`, the roster's sample and the examples.

use openai_invites_core::{InviteProject, InviteRole, InviteStatus, ProjectRole};

use crate::fake::DEFAULT_PROJECT;
use crate::seed::{Seed, SeedInvite};

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

impl Seed {
    /// Twelve sample invites of every status, at fixed offsets before `now` (unix seconds),
    /// with fixed ids `invite-demo01` to `invite-demo12`: five pending (one made 25 minutes
    /// ago, some with projects), four accepted, three expired, over `example.com`,
    /// `example.org` and `example.net`. The same `now` gives the same invites.
    ///
    /// Give the fake the same clock (a [`ManualClock`](crate::ManualClock) at `now`) so that
    /// the pending ones stay pending.
    ///
    /// ```
    /// use openai_invites_core::InviteStatus;
    /// use openai_invites_mock::{FakeInvites, ManualClock, Seed};
    ///
    /// let now = 1_700_000_000;
    /// let fake = FakeInvites::builder().clock(ManualClock::at_unix(now)).seed(Seed::demo(now)).build();
    /// let invites = fake.invites();
    /// assert_eq!(invites.len(), 12);
    /// assert_eq!(invites.iter().filter(|i| i.status == InviteStatus::Pending).count(), 5);
    /// assert_eq!(fake.get("invite-demo01").unwrap().email, "ana@example.com");
    /// ```
    pub fn demo(now: i64) -> Seed {
        let member = |id: &str| InviteProject::new(id, ProjectRole::Member);
        let owner = |id: &str| InviteProject::new(id, ProjectRole::Owner);
        let default = || vec![member(DEFAULT_PROJECT)];
        use InviteRole::{Owner, Reader};
        use InviteStatus::{Accepted, Expired, Pending};
        // (email, role, status, made this long ago, projects)
        #[rustfmt::skip]
        let rows: [(&str, InviteRole, InviteStatus, i64, Vec<InviteProject>); 12] = [
            ("ana@example.com", Owner,  Pending,  2 * HOUR, default()),
            ("bo@example.com",  Reader, Accepted, 3 * DAY,  default()),
            ("cy@example.com",  Reader, Expired,  9 * DAY,  default()),
            ("dee@example.com", Reader, Pending,  6 * DAY,  vec![member("proj_web")]),
            ("eli@example.org", Owner,  Accepted, 40 * DAY, vec![owner("proj_web"), member("proj_data")]),
            ("fay@example.org", Reader, Pending,  25 * 60,  vec![]),
            ("gus@example.org", Reader, Expired,  30 * DAY, vec![member("proj_data")]),
            ("hal@example.net", Reader, Accepted, 12 * DAY, default()),
            ("ivy@example.net", Owner,  Pending,  DAY,      vec![owner("proj_data")]),
            ("jo@example.net",  Reader, Expired,  8 * DAY,  default()),
            ("kai@example.com", Reader, Pending,  3 * DAY,  default()),
            ("lu@example.com",  Reader, Accepted, 90 * DAY, vec![]),
        ];
        let invites =
            rows.into_iter()
                .enumerate()
                .map(|(n, (email, role, status, age, projects))| {
                    let created_at = now - age;
                    let accepted_at = (status == Accepted).then_some(created_at + HOUR);
                    SeedInvite::new(email)
                        .id(format!("invite-demo{:02}", n + 1))
                        .role(role)
                        .created_at(created_at)
                        .accepted_at(accepted_at)
                        .projects(projects)
                        .status(status)
                });
        // Every row has an email and its own id, which is all `new` checks (the test below
        // proves it): never the empty default.
        Seed::new(invites).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use crate::{FakeInvites, ManualClock};

    use super::*;

    #[test]
    fn a_dozen_invites_of_every_status_on_the_given_clock() {
        let now = 1_700_000_000;
        let fake = FakeInvites::builder()
            .clock(ManualClock::at_unix(now))
            .seed(Seed::demo(now))
            .build();
        let invites = fake.invites();
        assert_eq!(invites.len(), 12);
        let count = |status: InviteStatus| invites.iter().filter(|i| i.status == status).count();
        assert_eq!(
            [
                count(InviteStatus::Pending),
                count(InviteStatus::Accepted),
                count(InviteStatus::Expired)
            ],
            [5, 4, 3]
        );
        // A pending invite expires a week after it was made, on the fake's clock.
        let dee = invites.iter().find(|i| i.email == "dee@example.com");
        assert_eq!(
            dee.and_then(|i| i.expires_at),
            Some(now - 6 * DAY + 7 * DAY)
        );
        assert_eq!(Seed::demo(now), Seed::demo(now));
    }
}
