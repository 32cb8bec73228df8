//! `--demo`: the fake invites service in this process, as the client's transport, seeded with
//! a dozen sample invites of every status. No key, no network; changes last for one command.
//!
//! ```ignore
//! let client = demo::client(&config)?; // lists the 12 sample invites
//! ```

use openai_invites::{Client, InviteProject, InviteRole, InviteStatus, ProjectRole};
use openai_invites_mock::{DEFAULT_PROJECT, FakeInvites, ManualClock, Seed, SeedInvite};

use crate::config::Config;
use crate::connect;
use crate::exit::Failure;

/// Where the demo's client "sends" its requests: only the path reaches the fake, and a
/// reserved name makes it plain in traces (`-v`) that nothing goes to the real service.
const DEMO_BASE_URL: &str = "https://demo.invalid/v1";

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// A client of a fake seeded with [`samples`], whose clock stands at `config.now`.
pub fn client(config: &Config) -> Result<Client, Failure> {
    let fake = FakeInvites::builder()
        .clock(ManualClock::at_unix(config.now))
        .seed(samples(config.now)?)
        .build();
    let builder = Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service());
    let mut settings = config.client.clone();
    settings.base_url = Some(DEMO_BASE_URL.to_owned());
    connect::apply(builder, &settings)
        .build()
        .map_err(|e| Failure::Other(format!("the demo could not start: {e}")))
}

/// Twelve invites: pending (some about to expire, some with projects), accepted and expired.
pub fn samples(now: i64) -> Result<Seed, Failure> {
    let member = |id: &str| InviteProject::new(id, ProjectRole::Member);
    let owner = |id: &str| InviteProject::new(id, ProjectRole::Owner);
    let default = || vec![member(DEFAULT_PROJECT)];
    use InviteRole::{Owner, Reader};
    use InviteStatus::{Accepted, Expired, Pending};
    // (email, role, status, created this long ago, projects)
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
    let invites = rows
        .into_iter()
        .enumerate()
        .map(|(n, (email, role, status, age, projects))| {
            let created_at = now - age;
            let mut seed = SeedInvite::new(email)
                .id(format!("invite-demo{:02}", n + 1))
                .role(role)
                .created_at(created_at)
                .projects(projects);
            if status == InviteStatus::Accepted {
                seed = seed.accepted_at(Some(created_at + HOUR));
            }
            // An expired invite's week ran out; the fake reads it as expired from its clock.
            seed.status(status)
        });
    Seed::new(invites).map_err(|e| Failure::Other(format!("the demo's sample invites: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_dozen_invites_of_every_status() {
        let now = 1_700_000_000;
        let fake = FakeInvites::builder()
            .clock(ManualClock::at_unix(now))
            .seed(samples(now).unwrap())
            .build();
        let invites = fake.invites();
        assert_eq!(invites.len(), 12);
        for status in [
            InviteStatus::Pending,
            InviteStatus::Accepted,
            InviteStatus::Expired,
        ] {
            let n = invites.iter().filter(|i| i.status == status).count();
            assert!(n >= 3, "{status}: {n}");
        }
        // The clock is the config's: pending ones expire a week after they were made.
        let pending = invites
            .iter()
            .find(|i| i.email == "dee@example.com")
            .unwrap();
        assert_eq!(pending.expires_at, Some(now - 6 * DAY + 7 * DAY));
    }
}
