//! The roster commands' arguments: `plan` and `apply`.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;
use openai_invites_roster::MaxRevoke;

/// Show what applying a roster would change, and change nothing.
///
/// Reads every invite of the organization once (pages of 100) and compares it with the
/// roster, person by person: invite (no invite yet), reissue (only expired ones), keep
/// (pending with the same terms), drift (pending with other terms: left alone unless
/// --replace-drifted), accepted (nothing to do); with --prune, revoke the pending invites of
/// people off the roster. Accepted invites are never touched: the invites API cannot remove
/// a member.
///
/// The roster is CSV with a header `email,role,projects` (projects: empty for the default
/// project, `-` for none, else `proj_a:member proj_b:owner`), or JSON / JSON Lines of invite
/// requests. Every row is checked first; every problem is reported with its line.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  openai-invites plan cohort.csv
  openai-invites plan cohort.csv --prune --out plan.json
  openai-invites plan cohort.csv --detailed-exitcode || echo \"something to apply\"
  openai-invites --demo plan crates/openai-invites-roster/examples/cohort.csv

Exit codes with --detailed-exitcode (terraform's): 0 nothing to apply, 2 something to apply
(drift counts only with --replace-drifted), 1 any error.")]
pub struct PlanArgs {
    /// The roster: a .csv, .json, .jsonl or .ndjson file.
    #[arg(value_name = "ROSTER")]
    pub roster: PathBuf,
    #[command(flatten)]
    pub options: PlanFlags,
    /// Save the plan (with a fingerprint of the invites it was made against) for `apply`.
    #[arg(long, value_name = "PLAN.json")]
    pub out: Option<PathBuf>,
    /// Exit 0 when there is nothing to apply, 2 when there is something, 1 on any error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// What a plan may do besides inviting and reissuing.
#[derive(Debug, Args, Clone, Copy)]
pub struct PlanFlags {
    /// Also revoke the pending invites of people not on the roster.
    #[arg(long)]
    pub prune: bool,
    /// Replace pending invites whose role or projects differ from the roster's (delete, then
    /// invite again): the person gets a new email.
    #[arg(long)]
    pub replace_drifted: bool,
}

/// Apply a roster (or a plan saved by `plan --out`): invite, reissue, replace, revoke.
///
/// Shows the plan and asks first on a terminal; elsewhere --yes is required. One read of
/// the invites, then one request per create or delete (a reissue or replace is both), paced
/// by the rate limit (--rate, or --rate auto to follow the service's x-ratelimit-* headers). A create whose outcome is unclear (a
/// timeout, a dropped connection) is never sent again blindly: such creates are settled
/// together by reading the invites again at the end. With --journal, every change is recorded
/// before and after it is made: run the same command again after a crash or Ctrl-C and what
/// was done is skipped, what was under way is settled by reading.
///
/// Ctrl-C once: no new rows are started, the ones under way finish; twice: stop at once (the
/// journal stays consistent). Exit 0 when every row ended as planned, 3 when some failed (the
/// rest were done), 5 when some outcome is unknown, 130 when interrupted, 2 when refused
/// (no --yes off a terminal, a stale saved plan, more revocations than --max-revoke).
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  openai-invites apply cohort.csv
  openai-invites apply cohort.csv --yes --journal cohort.journal --report report.csv
  openai-invites apply plan.json --yes --rate auto
  openai-invites apply cohort.csv --prune --max-revoke 25%")]
pub struct ApplyArgs {
    /// A roster (.csv, .json, .jsonl, .ndjson) or a plan saved by `plan --out`.
    #[arg(value_name = "ROSTER|PLAN.json")]
    pub source: PathBuf,
    /// Do not ask: needed when not on a terminal.
    #[arg(short, long)]
    pub yes: bool,
    #[command(flatten)]
    pub options: PlanFlags,
    /// The most pending invites to revoke, as a count or a share of the organization's
    /// pending invites; above it nothing is changed [default: 10%].
    #[arg(long, value_name = "N|P%")]
    pub max_revoke: Option<MaxRevoke>,
    /// How many rows are under way at once [default: 8].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<NonZeroUsize>,
    /// Record every change in this file (JSON Lines), and skip or settle what it says was
    /// done: run again with the same file to resume.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Write one CSV row per roster row and per revoked invite:
    /// email,action,outcome,invite_id,request_id,message.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}
