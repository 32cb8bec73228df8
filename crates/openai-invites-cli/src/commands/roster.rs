//! What `plan` and `apply` share: reading a roster (every problem reported, nothing sent) or
//! a saved plan, and saying what a plan does.
//!
//! ```ignore
//! let source = roster::read(&path, context.printer)?; // Source::Roster or Source::Saved
//! roster::summarize(context.printer, &plan);          // "plan: 2 to invite, ..." on stderr
//! ```

use std::path::Path;

use anstyle::AnsiColor;
use openai_invites_roster::{
    ActionKind, ApplyError, Plan, PlanOptions, Roster, RosterError, RosterFormat,
};

use crate::cli::PlanFlags;
use crate::exit::Failure;
use crate::output::Printer;

/// What a file holds: a roster to plan, or a plan saved by `plan --out`.
pub enum Source {
    Roster(Roster),
    Saved(Plan),
}

impl From<PlanFlags> for PlanOptions {
    fn from(flags: PlanFlags) -> Self {
        PlanOptions {
            prune: flags.prune,
            replace_drifted: flags.replace_drifted,
        }
    }
}

/// Reads `path`: a saved plan (a JSON object with a `format`), or else a roster, checked
/// whole; each problem of a roster is printed on its own line.
pub fn read(path: &Path, printer: &mut Printer) -> Result<Source, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Other(format!("cannot read {shown}: {e}")))?;
    if is_plan(&text) {
        let plan = Plan::from_json(&text).map_err(|e| Failure::Other(format!("{shown}: {e}")))?;
        return Ok(Source::Saved(plan));
    }
    let format = RosterFormat::of_path(path).ok_or_else(|| {
        Failure::Refused(format!(
            "{shown}: name a roster .csv, .json, .jsonl or .ndjson (or give a plan saved by \
             `plan --out`)"
        ))
    })?;
    match Roster::parse(&text, format) {
        Ok(roster) => Ok(Source::Roster(roster)),
        Err(error @ RosterError::Invalid { .. }) => {
            for problem in error.problems() {
                printer.error_line(&format!("{shown}: {problem}"));
            }
            let n = error.problems().len();
            Err(Failure::Refused(format!(
                "{shown}: the roster has {n} problem{} (above): nothing was sent",
                if n == 1 { "" } else { "s" }
            )))
        }
        Err(other) => Err(Failure::Other(format!("{shown}: {other}"))),
    }
}

/// A saved plan is one JSON object with a `format`; a roster is an array, lines, or CSV.
fn is_plan(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|value| value.get("format").is_some() && value.get("actions").is_some())
}

/// How many actions change something, counting drift only when it would be replaced.
pub fn changes(plan: &Plan) -> usize {
    plan.summary().changes()
}

/// `plan: 2 to invite, 1 to reissue, ... (12 invites read)` on stderr, and a note on drift
/// left alone and on accepted invites.
pub fn summarize(printer: &mut Printer, plan: &Plan) {
    let summary = plan.summary();
    let n = |kind| summary.count(kind);
    let text = format!(
        "{} to invite, {} to reissue, {} to replace, {} to revoke; {} kept, {} drifted, {} \
         accepted (against {} invites)",
        n(ActionKind::Invite),
        n(ActionKind::Reissue),
        n(ActionKind::Replace),
        n(ActionKind::Revoke),
        n(ActionKind::Keep),
        n(ActionKind::Drift),
        n(ActionKind::Accepted),
        plan.snapshot.invites,
    );
    let color = match summary.changes() {
        0 => AnsiColor::Cyan,
        _ => AnsiColor::Green,
    };
    printer.status("plan:", color, &text);
    if n(ActionKind::Drift) > 0 {
        printer.note(
            "drifted: pending invites with other terms are left as they are; --replace-drifted \
             deletes and sends them again",
        );
    }
}

/// An apply that could not start, as the command line reports it: a plan the organization
/// moved away from, or more revocations than allowed, is refused (nothing was changed).
pub fn refusal(error: ApplyError) -> Failure {
    match error {
        ApplyError::Snapshot(error) => Failure::call("reading the invites", error),
        error @ ApplyError::Stale { .. } => Failure::Refused(error.to_string()),
        error @ ApplyError::TooManyRevocations { revocations, .. } => Failure::Refused(format!(
            "{error}; to allow them: --max-revoke {revocations}"
        )),
        other => Failure::Other(other.to_string()),
    }
}
