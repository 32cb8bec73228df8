//! The command line as clap parses it: every command, flag and help text.
//!
//! Global flags (connection, output) are accepted before or after the command. A new command
//! is a variant of [`Command`] with its `Args` struct here, and a module in `commands/`.

use std::ffi::OsString;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgAction, Args, Parser, Subcommand};
use openai_invites::{InviteProject, InviteRole, InviteStatus};

use crate::output::Format;
use crate::rate::{self, Rate};

mod roster;

pub use roster::{ApplyArgs, PlanArgs, PlanFlags};

const CONNECTION: &str = "Connection";
const OUTPUT: &str = "Output";

/// Manage your OpenAI organization's invites: list them, invite people without ever inviting
/// anyone twice, delete them with a confirmation.
#[derive(Debug, Parser)]
#[command(name = "openai-invites", version, max_term_width = 100)]
#[command(after_help = "\
Examples:
  openai-invites --demo list                       try it: sample invites, no key, no network
  openai-invites list --status pending
  openai-invites invite ana@example.com --role reader --dry-run
  openai-invites delete --email ana@example.com
  openai-invites plan cohort.csv                   what inviting a roster would change

The admin key comes from OPENAI_ADMIN_KEY, --admin-key-file or --admin-key-stdin; never from
the command line. OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, the proxy variables
(HTTPS_PROXY, NO_PROXY...) and SSL_CERT_FILE / SSL_CERT_DIR are read as the library reads them.

Exit codes:
  0    success
  1    failure (the service refused, not found, network...)
  2    bad usage, or refused (delete without --yes off a terminal, declined, an accepted invite)
  3    partial: some of several invites failed, the rest were done
  4    authentication or permission: no admin key, or the service answered 401/403
  5    outcome unknown: the client could not tell whether a change happened
  130  interrupted (Ctrl-C)")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Read the admin key from the first line of this file (instead of OPENAI_ADMIN_KEY).
    #[arg(long, global = true, value_name = "PATH", help_heading = CONNECTION)]
    pub admin_key_file: Option<PathBuf>,
    /// Read the admin key from the first line of standard input (a pipe, not a terminal).
    #[arg(long, global = true, conflicts_with = "admin_key_file", help_heading = CONNECTION)]
    pub admin_key_stdin: bool,
    /// Refused: a key on the command line would stay in the shell's history and show in `ps`.
    #[arg(long, global = true, hide = true, num_args = 0..=1, default_missing_value = "")]
    pub admin_key: Option<String>,
    /// The API's base URL [default: OPENAI_BASE_URL, else https://api.openai.com/v1].
    #[arg(long, global = true, value_name = "URL", help_heading = CONNECTION)]
    pub base_url: Option<String>,
    /// Send `OpenAI-Organization: ID` [default: OPENAI_ORG_ID].
    #[arg(long, global = true, value_name = "ID", help_heading = CONNECTION)]
    pub org: Option<String>,
    /// Send `OpenAI-Project: ID` [default: OPENAI_PROJECT_ID] (not the invite's projects: see
    /// `invite --project`).
    #[arg(long, global = true, value_name = "ID", help_heading = CONNECTION)]
    pub openai_project: Option<String>,
    /// Give up on a call after this long, retries included (e.g. 30s, 2m) [default: 10m].
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration, help_heading = CONNECTION)]
    pub timeout: Option<Duration>,
    /// Retries after a failed attempt that may pass (a create is never re-sent blindly) [default: 2].
    #[arg(long, global = true, value_name = "N", help_heading = CONNECTION)]
    pub max_retries: Option<u32>,
    /// Most requests per second (e.g. 10/s, 600/m), or `auto`: the pace the service announces
    /// in its x-ratelimit-* headers (10/s until it does) [default: 10/s].
    #[arg(long, global = true, value_name = "N/s|auto", value_parser = rate::parse, help_heading = CONNECTION)]
    pub rate: Option<Rate>,
    /// Keep the --rate budget on this Redis, shared by every process that names the same
    /// limit, on any machine (e.g. an apply split across machines) [default:
    /// OPENAI_INVITES_REDIS_URL]. A URL with a password is safer in the variable.
    #[arg(long, global = true, value_name = "URL", help_heading = CONNECTION)]
    pub redis_url: Option<String>,
    /// The name of the limit shared on Redis: processes with the same name share one budget
    /// (e.g. the organization's id) [default: the Redis limiter's default name].
    #[arg(long, global = true, value_name = "NAME", help_heading = CONNECTION)]
    pub redis_name: Option<String>,
    /// Run against a fake service in this process, seeded with sample invites: no key, no
    /// network. Changes last for this one command.
    #[arg(long, global = true, conflicts_with_all = ["admin_key_file", "admin_key_stdin", "base_url"], help_heading = CONNECTION)]
    pub demo: bool,
    /// Output format [default: table on a terminal; tab-separated, no header, when piped].
    #[arg(short, long, global = true, value_enum, value_name = "FORMAT", help_heading = OUTPUT)]
    pub output: Option<Format>,
    /// Log what the client does on stderr: -v each call and attempt, retries and
    /// reconciliation; -vv everything (connections too).
    #[arg(short, long, global = true, action = ArgAction::Count, help_heading = OUTPUT)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    List(ListArgs),
    Get(GetArgs),
    Invite(InviteArgs),
    Delete(DeleteArgs),
    Plan(PlanArgs),
    Apply(ApplyArgs),
    Completions(CompletionsArgs),
}

impl Command {
    /// Whether the command handles Ctrl-C itself (instead of being dropped where it stands).
    pub fn stops_itself(&self) -> bool {
        matches!(self, Self::Apply(_))
    }

    /// Whether it is `plan --detailed-exitcode`.
    pub fn detailed_exitcode(&self) -> bool {
        matches!(self, Self::Plan(args) if args.detailed_exitcode)
    }
}

/// Whether the arguments ask for `--detailed-exitcode`, for a command line clap refused (so
/// that a usage error exits 1 by terraform's convention): the flag before any `--`.
pub fn asks_detailed_exitcode(args: impl IntoIterator<Item = OsString>) -> bool {
    args.into_iter()
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--detailed-exitcode")
}

/// List invites: every page by default.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  openai-invites list
  openai-invites list --status pending --email @example.com
  openai-invites list -o json | jq '.[] | select(.role == \"owner\") | .email'
  openai-invites list -o csv > invites.csv")]
pub struct ListArgs {
    /// Only invites with this status.
    #[arg(long, value_parser = PossibleValuesParser::new(["pending", "accepted", "expired"]).map(InviteStatus::from))]
    pub status: Option<InviteStatus>,
    /// Only invites whose email contains TEXT (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub email: Option<String>,
    /// Stop after N invites (after the filters).
    #[arg(long, value_name = "N")]
    pub limit: Option<NonZeroUsize>,
}

/// Show one invite.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  openai-invites get invite-abc123
  openai-invites get invite-abc123 -o json")]
pub struct GetArgs {
    /// The invite's id (`invite-...`).
    pub id: String,
}

/// Invite a person, unless they already have a pending or accepted invite.
///
/// Reads the organization's invites first: a pending invite for the email is left alone (and
/// any difference in role or projects reported), an accepted one too; an expired one is
/// deleted and a new one sent (reissued); with none, one is created. A create whose outcome is
/// unclear (a timeout, a dropped connection) is checked by reading the invites, never re-sent
/// blindly.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  openai-invites invite ana@example.com --role reader
  openai-invites invite bo@example.com --role owner --project proj_abc --project proj_def:owner
  openai-invites invite cy@example.com --role reader --no-projects --dry-run")]
pub struct InviteArgs {
    /// The person's email address.
    pub email: String,
    /// The organization role.
    #[arg(long, required = true, value_parser = PossibleValuesParser::new(["reader", "owner"]).map(InviteRole::from))]
    pub role: InviteRole,
    /// A project to join on acceptance, as ID or ID:member or ID:owner; repeat for several.
    /// Without any, the person joins the organization's default project.
    #[arg(long, value_name = "ID[:ROLE]")]
    pub project: Vec<InviteProject>,
    /// Join no project at all, not even the default one.
    #[arg(long, conflicts_with = "project")]
    pub no_projects: bool,
    /// Say what would be done, and change nothing (only reads the invites).
    #[arg(long)]
    pub dry_run: bool,
}

/// Delete invites that were not accepted, after a confirmation.
///
/// On a terminal, shows what would be deleted (email, role, status) and asks first; elsewhere
/// `--yes` is required. Accepted invites cannot be deleted: the person is already a member.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  openai-invites delete invite-abc123
  openai-invites delete invite-abc123 invite-def456 --yes
  openai-invites delete --email ana@example.com")]
pub struct DeleteArgs {
    /// The invites' ids.
    #[arg(required_unless_present = "email", conflicts_with = "email")]
    pub ids: Vec<String>,
    /// Every invite for this email (exact, case-insensitive) instead of ids.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Do not ask: needed when not on a terminal.
    #[arg(short, long)]
    pub yes: bool,
}

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  openai-invites completions bash > ~/.local/share/bash-completion/completions/openai-invites
  openai-invites completions zsh > ~/.zfunc/_openai-invites
  openai-invites completions fish > ~/.config/fish/completions/openai-invites.fish")]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// A duration such as `30s`, `1m30s` or `500ms`; more than zero.
fn duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("must be longer than zero".to_owned()),
        Err(_) => Err(format!(
            "`{text}` is not a duration such as 30s, 2m or 500ms"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("openai-invites").chain(args.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_before_or_after_the_command() {
        let before = parse(&["-o", "json", "--demo", "list"]).unwrap();
        let after = parse(&["list", "-o", "json", "--demo"]).unwrap();
        assert_eq!(before.global.output, Some(Format::Json));
        assert_eq!(after.global.output, Some(Format::Json));
        assert!(before.global.demo && after.global.demo);
    }

    #[test]
    fn invite_flags() {
        let cli = parse(&[
            "invite",
            "a@b.co",
            "--role",
            "owner",
            "--project",
            "p1",
            "--project",
            "p2:owner",
        ])
        .unwrap();
        let Command::Invite(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.role, InviteRole::Owner);
        assert_eq!(args.project.len(), 2);
        for bad in [
            &["invite", "a@b.co"][..],
            &["invite", "a@b.co", "--role", "admin"],
            &[
                "invite",
                "a@b.co",
                "--role",
                "reader",
                "--project",
                "p",
                "--no-projects",
            ],
            &[
                "invite",
                "a@b.co",
                "--role",
                "reader",
                "--project",
                "p:boss",
            ],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn delete_takes_ids_or_an_email() {
        assert!(parse(&["delete"]).is_err());
        assert!(parse(&["delete", "i1", "--email", "a@b.co"]).is_err());
        assert!(parse(&["delete", "i1", "i2", "-y"]).is_ok());
        assert!(parse(&["delete", "--email", "a@b.co"]).is_ok());
    }

    #[test]
    fn detailed_exitcode_is_found_in_a_command_line_clap_refuses() {
        let asks = |args: &[&str]| asks_detailed_exitcode(args.iter().map(OsString::from));
        assert!(asks(&["plan", "x.csv", "--detailed-exitcode", "--prnue"]));
        assert!(!asks(&["plan", "x.csv", "--prnue"]));
        assert!(!asks(&["plan", "--", "--detailed-exitcode"]));
        let Ok(cli) = parse(&["plan", "x.csv", "--detailed-exitcode"]) else {
            panic!()
        };
        assert!(cli.command.detailed_exitcode());
        assert!(
            !parse(&["plan", "x.csv"])
                .unwrap()
                .command
                .detailed_exitcode()
        );
    }

    #[test]
    fn bad_values() {
        for bad in [
            &["list", "--limit", "0"][..],
            &["list", "--status", "gone"],
            &["list", "--timeout", "0s"],
            &["list", "--rate", "0/s"],
            &["--demo", "--base-url", "http://x", "list"],
            &["--admin-key-file", "k", "--admin-key-stdin", "list"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
