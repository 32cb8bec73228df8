//! Roster sync for the OpenAI organization invites admin API: invite a whole cohort (a class,
//! a new team, a company's roster), with a preview, a record, and no one invited twice.
//!
//! 1. **A roster** ([`Roster`]): a CSV file `email,role,projects`, or JSON / JSON Lines of
//!    invite requests, validated whole before anything is sent; every problem is reported at
//!    once with its line.
//! 2. **A plan** ([`plan`]): a pure function of the roster and one snapshot of the
//!    organization's invites ([`read_invites`]): per person `invite`, `reissue` (only expired
//!    invites), `keep`, `drift` (pending with other terms; `replace` with
//!    [`PlanOptions::replace_drifted`]), `accepted`; with [`PlanOptions::prune`], `revoke` for
//!    pending invites off the roster. Accepted invites are never touched: the invites API
//!    cannot remove members. A plan serializes with a fingerprint of what it was made
//!    against, and applying a saved plan refuses it as stale if any invite it was decided
//!    from changed (terraform's rule).
//! 3. **Apply** ([`Applier`]): the snapshot once, then one request per create or delete (an
//!    invite or a revocation is one, a reissue or a replacement two: a delete, then a
//!    create), with bounded concurrency, paced by the client's rate limiter (local or Redis).
//!    Ambiguous creates are settled together by one more read of the invites at the end (one
//!    found not made is sent again, and settled again): `N` creates and deletes against `M`
//!    invites with some ambiguous cost about `N + M/100 × (1 + reads)` requests.
//!    [`MaxRevoke`] (default 10 % of the pending invites) refuses to start a run that revokes
//!    more.
//! 4. **A journal** ([`Journal`]): append-only JSON Lines, each record durable (`fsync`ed, in
//!    groups, off the async runtime) before its row goes on; a run again with it skips
//!    finished rows and settles interrupted ones by reading, never by sending blind. A
//!    [`StopSignal`] stops a run gracefully (first) or at once (second).
//! 5. **Results** ([`ApplyReport`]): per row an [`Outcome`] with the invite id, request id and
//!    message; a CSV report ([`write_report`]), a [`Summary`], a [`RunStatus`] for an exit
//!    code, and a progress callback ([`Applier::on_progress`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_invites::Client;
//! use openai_invites_mock::FakeInvites;
//! use openai_invites_roster::{
//!     ActionKind, Applier, Outcome, PlanOptions, Roster, RosterFormat, plan, read_invites,
//! };
//!
//! let fake = FakeInvites::new(); // the test kit; with the real API: Client::builder().from_env()
//! let client = Client::builder()
//!     .admin_key(fake.admin_key())
//!     .transport(fake.service())
//!     .build()?;
//! client.invite_user(openai_invites::InviteRequest::new("old@example.com", openai_invites::InviteRole::Reader)).await?;
//!
//! let roster = Roster::parse(
//!     "email,role,projects\nana@example.com,reader,\nbo@example.com,owner,proj_a:owner\n",
//!     RosterFormat::Csv,
//! )?;
//! let options = PlanOptions { prune: true, ..PlanOptions::default() };
//!
//! // Preview: what would change.
//! let preview = plan(&roster, &read_invites(&client).await?, options);
//! let kinds: Vec<_> = preview.actions.iter().map(|a| a.kind).collect();
//! assert_eq!(kinds, [ActionKind::Invite, ActionKind::Invite, ActionKind::Revoke]);
//!
//! // Apply the saved plan (refused if the organization changed under it).
//! let saved = preview.to_json();
//! let saved = openai_invites_roster::Plan::from_json(&saved)?;
//! let applier = Applier::new(client.clone()).max_revoke("100%".parse()?);
//! let report = applier.apply(&saved).await?;
//! assert_eq!(report.summary().to_string(), "2 created, 1 revoked");
//!
//! // Planning again: nothing left to do.
//! let again = plan(&roster, &read_invites(&client).await?, options);
//! assert_eq!(again.summary().changes(), 0);
//! # Ok(()) }
//! ```

mod apply;
mod email;
mod index;
pub mod journal;
mod limit;
mod outcome;
mod plan;
mod report;
mod roster;
mod snapshot;
mod summary;

pub use apply::{
    Applier, ApplyError, DEFAULT_CONCURRENCY, DEFAULT_SETTLE_DELAY, DEFAULT_SETTLE_READS, Prepared,
    ProgressFn, StopSignal,
};
pub use email::email_key;
pub use journal::{Journal, JournalError};
pub use limit::{BadMaxRevoke, DEFAULT_MAX_REVOKE_PERCENT, MaxRevoke};
pub use outcome::{ApplyReport, Outcome, Progress, RowResult, RunStatus};
pub use plan::{
    Action, ActionKind, Drift, PLAN_FORMAT, Plan, PlanFileError, PlanOptions, PlanSummary,
    SnapshotInfo, plan, snapshot_fingerprint,
};
pub use report::{REPORT_HEADER, write_report};
pub use roster::{Problem, ProblemKind, Roster, RosterError, RosterFormat, RosterRow};
pub use snapshot::read_invites;
pub use summary::Summary;

pub use openai_invites_core::{InviteProject, InviteRequest, InviteRole, ProjectRole};
