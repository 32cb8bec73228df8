//! `--demo`: the fake invites service in this process, as the client's transport, seeded with
//! the test kit's sample organization ([`Seed::demo`]: a dozen invites of every status). No
//! key, no network; changes last for one command.
//!
//! ```ignore
//! let client = connect::apply(demo::builder(config.now), &settings).build()?; // 12 invites
//! ```

use openai_invites::{Client, ClientBuilder};
use openai_invites_mock::{FakeInvites, ManualClock, Seed};

/// Where the demo's client "sends" its requests: only the path reaches the fake, and a
/// reserved name makes it plain in traces (`-v`) that nothing goes to the real service.
const DEMO_BASE_URL: &str = "https://demo.invalid/v1";

/// A client builder over a fake seeded with [`Seed::demo`], whose clock stands at `now`
/// (unix seconds).
pub fn builder(now: i64) -> ClientBuilder {
    let fake = FakeInvites::builder()
        .clock(ManualClock::at_unix(now))
        .seed(Seed::demo(now))
        .build();
    Client::builder()
        .admin_key(fake.admin_key())
        .transport(fake.service())
        .base_url(DEMO_BASE_URL)
}
