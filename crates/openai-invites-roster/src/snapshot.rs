//! The snapshot: every invite of the organization, read once.

use openai_invites::{Client, Error, Invite, InviteFilter};
#[cfg(doc)]
use openai_invites_core::ops::MAX_LIMIT;

/// Reads every invite of the organization, page after page of [`MAX_LIMIT`] (100): the one
/// read a plan is made from, `ceil(M / 100)` requests for `M` invites.
///
/// ```no_run
/// # async fn run(client: openai_invites::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use openai_invites_roster::{PlanOptions, Roster, plan, read_invites};
///
/// let roster = Roster::read_file("cohort.csv")?;
/// let invites = read_invites(&client).await?;
/// let plan = plan(&roster, &invites, PlanOptions::default());
/// println!("{}", plan.summary());
/// # Ok(()) }
/// ```
pub async fn read_invites(client: &Client) -> Result<Vec<Invite>, Error> {
    client.all_invites(InviteFilter::all()).await
}
