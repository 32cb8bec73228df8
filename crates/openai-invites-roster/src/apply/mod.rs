//! Applying a plan: the snapshot once, then one request per create or delete with bounded
//! concurrency, ambiguous creates settled together at the end, a journal for resuming.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_invites::Client;
//! use openai_invites_mock::FakeInvites;
//! use openai_invites_roster::{Applier, Outcome, PlanOptions, Roster, RosterFormat, RunStatus};
//!
//! let fake = FakeInvites::new();
//! let client = Client::builder()
//!     .admin_key(fake.admin_key())
//!     .transport(fake.service())
//!     .build()?;
//! let roster = Roster::parse("email,role\nana@example.com,reader\nbo@example.com,owner\n", RosterFormat::Csv)?;
//! let (plan, report) = Applier::new(client).sync(&roster, PlanOptions::default()).await?;
//! assert_eq!(plan.summary().changes(), 2);
//! assert!(report.rows.iter().all(|r| r.outcome == Outcome::Created));
//! assert_eq!(report.status(), RunStatus::AsPlanned);
//! assert_eq!(fake.request_count(), 3); // one page read, two creates
//! # Ok(()) }
//! ```

mod board;
mod engine;
mod error;
mod resolve;
mod resume;
mod send;
mod stop;

use std::sync::Arc;
use std::time::Duration;

use openai_invites::{Client, Invite};

pub use board::ProgressFn;
pub use error::ApplyError;
pub use stop::StopSignal;

use crate::email::email_key;
use crate::journal::{Journal, JournalState, Journaled, UnderWay};
use crate::limit::MaxRevoke;
use crate::outcome::{ApplyReport, Progress, RowResult};
use crate::plan::{Action, ActionKind, Plan, PlanOptions, pending, plan};
use crate::roster::Roster;
use crate::snapshot::read_invites;
use engine::Engine;
use send::Sender;

/// How many rows are in flight at once, by default. The client's rate limiter, not this,
/// paces the requests.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How long to let the service's list catch up with its writes before reading it to settle
/// ambiguous outcomes, by default: the client's own
/// [`SETTLE_DELAY`](openai_invites::defaults::SETTLE_DELAY).
pub const DEFAULT_SETTLE_DELAY: Duration = openai_invites::defaults::SETTLE_DELAY;

/// How many times the invites are read to settle ambiguous outcomes, by default (a create
/// found not made is sent again between two reads).
pub const DEFAULT_SETTLE_READS: u32 = 3;

/// Applies rosters and saved plans through a [`Client`].
///
/// The applier settles ambiguous creates itself, all together with one more read of the
/// invites, instead of one read of every page per create: it sends its creates
/// [`without_reconciliation`](openai_invites::Call::without_reconciliation), whatever the
/// client's own setting. Everything else (retries, the rate limiter, the secrets scrubbed
/// from errors) is the client's.
#[derive(Clone)]
pub struct Applier {
    client: Client,
    concurrency: usize,
    max_revoke: MaxRevoke,
    settle_delay: Duration,
    settle_reads: u32,
    journal: Option<Arc<Journal>>,
    progress: Option<ProgressFn>,
    stop: StopSignal,
}

impl std::fmt::Debug for Applier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applier")
            .field("concurrency", &self.concurrency)
            .field("max_revoke", &self.max_revoke)
            .field("settle_delay", &self.settle_delay)
            .field("settle_reads", &self.settle_reads)
            .field("journal", &self.journal.as_ref().map(|j| j.path()))
            .finish_non_exhaustive()
    }
}

impl Applier {
    /// An applier with the defaults: [`DEFAULT_CONCURRENCY`] rows at once, revocations up to
    /// [`MaxRevoke::default`], no journal.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            concurrency: DEFAULT_CONCURRENCY,
            max_revoke: MaxRevoke::default(),
            settle_delay: DEFAULT_SETTLE_DELAY,
            settle_reads: DEFAULT_SETTLE_READS,
            journal: None,
            progress: None,
            stop: StopSignal::new(),
        }
    }

    /// How many rows are in flight at once (at least 1).
    pub fn concurrency(mut self, rows: usize) -> Self {
        self.concurrency = rows.max(1);
        self
    }

    /// The most revocations allowed; above it the apply refuses to start.
    pub fn max_revoke(mut self, max: MaxRevoke) -> Self {
        self.max_revoke = max;
        self
    }

    /// How long to wait before each read that settles ambiguous outcomes (default
    /// [`DEFAULT_SETTLE_DELAY`]).
    pub fn settle_delay(mut self, delay: Duration) -> Self {
        self.settle_delay = delay;
        self
    }

    /// How many reads may settle ambiguous outcomes (default [`DEFAULT_SETTLE_READS`]);
    /// `0` leaves them unknown.
    pub fn settle_reads(mut self, reads: u32) -> Self {
        self.settle_reads = reads;
        self
    }

    /// Records every change in `journal`, and skips or settles what it says was done.
    pub fn journal(mut self, journal: Journal) -> Self {
        self.journal = Some(Arc::new(journal));
        self
    }

    /// Calls `progress` after each row with changes ends (and once with the total).
    pub fn on_progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The signal that stops the run (see [`StopSignal`]).
    pub fn stop_signal(mut self, stop: StopSignal) -> Self {
        self.stop = stop;
        self
    }

    /// Reads the invites, plans `roster` against them, and applies the plan: the snapshot
    /// once, then one request per create or delete. Returns the plan with what applying it
    /// did.
    pub async fn sync(
        &self,
        roster: &Roster,
        options: PlanOptions,
    ) -> Result<(Plan, ApplyReport), ApplyError> {
        let prepared = self.prepare(roster, options).await?;
        let plan = prepared.plan().clone();
        Ok((plan, prepared.apply().await))
    }

    /// Applies a saved plan: reads the invites, refuses the plan if any invite it was made
    /// from changed since ([`ApplyError::Stale`]; rows the journal finished or touched are
    /// exempt), then one request per create or delete.
    pub async fn apply(&self, plan: &Plan) -> Result<ApplyReport, ApplyError> {
        Ok(self.prepare_saved(plan.clone()).await?.apply().await)
    }

    /// The first half of [`sync`](Self::sync): reads the invites and plans `roster` against
    /// them, checking [`max_revoke`](Self::max_revoke); nothing is changed until
    /// [`Prepared::apply`], which applies that plan against that same read (so that a
    /// caller can show the plan and ask first, at no second read).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use openai_invites_roster::{Applier, PlanOptions, Roster, RosterFormat};
    /// # let fake = openai_invites_mock::FakeInvites::new();
    /// # let client = openai_invites::Client::builder().admin_key(fake.admin_key()).transport(fake.service()).build()?;
    ///
    /// let roster = Roster::parse("email,role\nana@example.com,reader\n", RosterFormat::Csv)?;
    /// let applier = Applier::new(client);
    /// let prepared = applier.prepare(&roster, PlanOptions::default()).await?;
    /// println!("{}", prepared.plan().summary()); // then ask: nothing has changed yet
    /// let report = prepared.apply().await;
    /// assert_eq!(report.summary().to_string(), "1 created");
    /// assert_eq!(fake.request_count(), 2); // one read, one create
    /// # Ok(()) }
    /// ```
    pub async fn prepare(
        &self,
        roster: &Roster,
        options: PlanOptions,
    ) -> Result<Prepared<'_>, ApplyError> {
        // Before the read, what the plan will settle can be told from the roster alone.
        let listed: std::collections::HashSet<String> = roster
            .rows()
            .iter()
            .map(|row| email_key(&row.request.email))
            .collect();
        let settles = |row: &UnderWay| match row.action {
            ActionKind::Revoke => options.prune && !listed.contains(&email_key(&row.email)),
            _ => listed.contains(&email_key(&row.email)),
        };
        let (state, invites) = self.read(settles).await?;
        let plan = plan(roster, &invites, options);
        self.checked(plan, invites, state)
    }

    /// The first half of [`apply`](Self::apply): reads the invites and checks the saved
    /// `plan` against them ([`ApplyError::Stale`], [`max_revoke`](Self::max_revoke));
    /// nothing is changed until [`Prepared::apply`].
    pub async fn prepare_saved(&self, plan: Plan) -> Result<Prepared<'_>, ApplyError> {
        let settles = |row: &UnderWay| plan.actions.iter().any(|a| row.is_for(a));
        let (state, invites) = self.read(settles).await?;
        let untouched = |a: &&Action| state.of(a) == Journaled::Untouched;
        let mut stale: Vec<String> = plan
            .stale_actions(&invites)
            .into_iter()
            .filter(untouched)
            .map(|a| a.email.clone())
            .collect();
        stale.extend(plan.unplanned_invites(&invites).map(|i| i.email.clone()));
        if !stale.is_empty() {
            return Err(ApplyError::Stale { emails: stale });
        }
        self.checked(plan, invites, state)
    }

    /// What the journal says, then every invite: what a plan is made or checked against. The
    /// read waits for the settle delay when the journal has rows under way that `settles`.
    async fn read(
        &self,
        settles: impl Fn(&UnderWay) -> bool,
    ) -> Result<(JournalState, Vec<Invite>), ApplyError> {
        let state = self.journal.as_ref().map(|j| j.state()).unwrap_or_default();
        resume::wait_for(&state, settles, self.settle_delay).await;
        let invites = read_invites(&self.client)
            .await
            .map_err(ApplyError::Snapshot)?;
        Ok((state, invites))
    }

    /// `plan`, ready to apply once its revocations are within [`max_revoke`](Self::max_revoke).
    fn checked(
        &self,
        plan: Plan,
        invites: Vec<Invite>,
        state: JournalState,
    ) -> Result<Prepared<'_>, ApplyError> {
        self.check_revocations(&plan.actions, &invites, &state)?;
        let unplanned = resume::unplanned(&state, &plan.actions);
        Ok(Prepared {
            applier: self,
            plan,
            invites,
            state,
            unplanned,
        })
    }

    fn check_revocations(
        &self,
        actions: &[Action],
        invites: &[Invite],
        state: &JournalState,
    ) -> Result<(), ApplyError> {
        let revocations = actions
            .iter()
            .filter(|a| a.kind == ActionKind::Revoke)
            .filter(|a| !matches!(state.of(a), Journaled::Finished(_)))
            .count();
        let pending = pending(invites);
        let limit = self.max_revoke.limit(pending);
        if revocations > limit {
            return Err(ApplyError::TooManyRevocations {
                revocations,
                limit,
                max: self.max_revoke,
                pending,
            });
        }
        Ok(())
    }

    fn engine(&self) -> Engine {
        Engine {
            sender: Sender {
                client: self.client.clone(),
                journal: self.journal.clone(),
            },
            concurrency: self.concurrency,
            settle_delay: self.settle_delay,
            settle_reads: self.settle_reads,
            stop: self.stop.clone(),
            progress: self.progress.clone(),
        }
    }
}

/// A plan checked against the invites just read, ready to apply: made by
/// [`Applier::prepare`] or [`Applier::prepare_saved`]. Nothing has changed yet; dropping it
/// changes nothing.
#[derive(Debug)]
pub struct Prepared<'a> {
    applier: &'a Applier,
    plan: Plan,
    invites: Vec<Invite>,
    state: JournalState,
    unplanned: Vec<RowResult>,
}

impl Prepared<'_> {
    /// The plan that [`apply`](Self::apply) carries out (for a saved plan, the plan itself).
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The rows the journal already finished (skipped when applying), of the plan's actions
    /// that change something.
    pub fn journaled(&self) -> usize {
        self.plan
            .actions
            .iter()
            .filter(|a| a.kind.changes())
            .filter(|a| matches!(self.state.of(a), Journaled::Finished(_)))
            .count()
    }

    /// The rows an earlier run left under way (its journal holds a request for them and no
    /// outcome) that this plan does not include: they are not settled, and nothing waits for
    /// them; [`apply`](Self::apply) reports them in [`ApplyReport::unplanned`].
    pub fn unplanned(&self) -> &[RowResult] {
        &self.unplanned
    }

    /// Applies the plan: one request per create or delete, against the invites read when it
    /// was prepared.
    pub async fn apply(self) -> ApplyReport {
        let plan = &self.plan;
        let mut report = self
            .applier
            .engine()
            .run(&plan.actions, plan.options, &self.invites, &self.state)
            .await;
        report.unplanned = self.unplanned;
        report
    }
}
