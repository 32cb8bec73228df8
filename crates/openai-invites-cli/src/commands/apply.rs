//! `apply ROSTER|PLAN.json`: the plan shown (and asked about, on a terminal), then one
//! request per create or delete at the client's rate; what each row did goes to stdout (and
//! to `--report`), the summary says how the run ended, and its [`RunStatus`] alone decides
//! the exit status (`exit::code`).
//!
//! Off a terminal and without `--yes` nothing is read or sent: exit 2 at once.

mod progress;

use std::fs::File;
use std::time::Duration;

use anstyle::AnsiColor;
use openai_invites_roster::{
    Action, ActionKind, Applier, ApplyError, ApplyReport, Journal, Outcome as RowOutcome,
    PlanOptions, Prepared, Progress, RowResult, StopSignal, write_report,
};
use tokio::sync::watch;

use crate::cli::ApplyArgs;
use crate::exit::{Failure, Outcome};
use crate::output::roster as shown;

use super::Context;
use super::roster::{self, Source};

pub async fn run(context: &mut Context<'_>, args: ApplyArgs) -> Result<Outcome, Failure> {
    let source = roster::read(&args.source, context.printer)?;
    if matches!(source, Source::Saved(_)) && (args.options.prune || args.options.replace_drifted) {
        return Err(Failure::Refused(
            "--prune and --replace-drifted are the saved plan's own: plan again with them"
                .to_owned(),
        ));
    }
    if !args.yes && !context.printer.interactive() {
        return Err(Failure::Refused(
            "refusing to apply without --yes: not on a terminal, so there is no one to ask"
                .to_owned(),
        ));
    }
    // A long run of changes: evenly paced, never a burst that overruns a quota per window.
    let rate = context.config.client.rate.unwrap_or_default();
    context.config.client.rate = Some(rate.steady());
    let client = context.client()?;
    let stop = StopSignal::new();
    let (told, progress) = watch::channel(Progress::default());
    let mut applier = Applier::new(client)
        .stop_signal(stop.clone())
        .max_revoke(args.max_revoke.unwrap_or_default())
        .on_progress(move |p| {
            told.send_replace(p);
        });
    if let Some(rows) = args.concurrency {
        applier = applier.concurrency(rows.get());
    }
    if let Some(path) = &args.journal {
        let journal = Journal::open(path).map_err(|e| Failure::Other(e.to_string()))?;
        applier = applier.journal(journal);
    }
    // Until the first change, Ctrl-C stops at once: nothing has changed.
    let prepared = tokio::select! {
        prepared = prepare(&applier, source, args.options.into()) => {
            prepared.map_err(roster::refusal)?
        }
        _ = tokio::signal::ctrl_c() => return Ok(Outcome::interrupted()),
    };
    match confirmed(context, &prepared, args.yes).await? {
        Answer::Yes => {}
        Answer::No => {
            return Err(Failure::Refused(
                "not confirmed: nothing changed".to_owned(),
            ));
        }
        Answer::Interrupted => return Ok(Outcome::interrupted()),
    }
    let started = tokio::time::Instant::now();
    let report = progress::watch(context.printer, prepared.apply(), progress, &stop).await;
    let took = started.elapsed();
    finish(context, &args, &report, took)
}

/// What the run did, on stdout, stderr and in `--report`; the outcome carries its status.
fn finish(
    context: &mut Context<'_>,
    args: &ApplyArgs,
    report: &ApplyReport,
    took: Duration,
) -> Result<Outcome, Failure> {
    let mut outcome = Outcome::default();
    outcome.ran(report.status());
    if let Some(path) = &args.report {
        let rows = report.rows.iter().chain(&report.unplanned);
        let written = File::create(path)
            .map_err(|e| e.to_string())
            .and_then(|file| write_report(file, rows).map_err(|e| e.to_string()));
        if let Err(e) = written {
            let failure =
                Failure::Other(format!("cannot write the report {}: {e}", path.display()));
            outcome.fail(context.printer, failure);
        }
    }
    context.printer.emit(shown::results(&report.rows))?;
    let color = match report.rows.iter().all(|r| r.outcome.is_done()) {
        true => AnsiColor::Green,
        false => AnsiColor::Yellow,
    };
    let text = format!("{} (in {:.1}s)", report.summary(), took.as_secs_f64());
    context.printer.status("applied:", color, &text);
    if let Some(note) = unplanned(&report.unplanned) {
        context.printer.warning(&note);
    }
    let again = match &args.journal {
        Some(path) => format!("run the same apply again with --journal {}", path.display()),
        None => {
            "run apply again (it reads the invites first: nothing done is done twice)".to_owned()
        }
    };
    for failure in failures(&report.rows, &again) {
        outcome.fail(context.printer, failure);
    }
    if let Some(error) = &report.journal_error {
        let text = format!("the journal could not be written ({error}): no more rows were started");
        outcome.fail(context.printer, Failure::Other(text));
    }
    if report.interrupted {
        context
            .printer
            .note(&format!("interrupted: to finish, {again}"));
    }
    Ok(outcome)
}

/// How the question was answered.
enum Answer {
    Yes,
    No,
    /// Ctrl-C at the question.
    Interrupted,
}

async fn prepare(
    applier: &Applier,
    source: Source,
    options: PlanOptions,
) -> Result<Prepared<'_>, ApplyError> {
    match source {
        Source::Roster(roster) => applier.prepare(&roster, options).await,
        Source::Saved(plan) => applier.prepare_saved(plan).await,
    }
}

/// Shows what will change (on a terminal, each change; always the summary), and asks unless
/// `yes`.
async fn confirmed(
    context: &mut Context<'_>,
    prepared: &Prepared<'_>,
    yes: bool,
) -> Result<Answer, Failure> {
    let plan = prepared.plan();
    let printer = &mut *context.printer;
    if !yes {
        let shown: Vec<&Action> = plan
            .actions
            .iter()
            .filter(|a| a.kind.changes() || a.kind == ActionKind::Drift)
            .collect();
        if !shown.is_empty() {
            printer.show(shown::actions(plan, &shown));
        }
    }
    roster::summarize(printer, plan);
    let skipped = prepared.journaled();
    if skipped > 0 {
        printer.note(&format!(
            "journal: {skipped} of these changes were made by an earlier run and are skipped"
        ));
    }
    let changes = roster::changes(plan).saturating_sub(skipped);
    if yes || changes == 0 {
        return Ok(Answer::Yes);
    }
    let question = match changes {
        1 => "Apply this change?".to_owned(),
        n => format!("Apply these {n} changes?"),
    };
    Ok(tokio::select! {
        yes = printer.confirm(&question) => if yes { Answer::Yes } else { Answer::No },
        _ = tokio::signal::ctrl_c() => Answer::Interrupted,
    })
}

/// A warning for the rows an earlier run left under way that this plan does not include.
fn unplanned(rows: &[RowResult]) -> Option<String> {
    let first = rows.first()?;
    let more = match rows.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Some(format!(
        "journal: {} ({}){more} had a request under way in an earlier run and is not in this \
         plan: not settled; `openai-invites list --email EMAIL` shows where it stands{}",
        first.email,
        first.action,
        if rows.len() > 1 {
            " (all are in --report)"
        } else {
            ""
        }
    ))
}

/// One failure for the failed rows and one for the unknown ones, naming the first few.
fn failures(rows: &[RowResult], again: &str) -> Vec<Failure> {
    let named = |outcome: RowOutcome| -> Option<String> {
        let of: Vec<&RowResult> = rows.iter().filter(|r| r.outcome == outcome).collect();
        let first = of.first()?;
        let more = match of.len() {
            1 => String::new(),
            n => format!(" and {} more (see the output or --report)", n - 1),
        };
        let why = first.message.as_deref().unwrap_or("no reason given");
        Some(format!(
            "{} row{} {outcome}: {} ({why}){more}",
            of.len(),
            if of.len() == 1 { "" } else { "s" },
            first.email
        ))
    };
    let mut out = Vec::new();
    if let Some(text) = named(RowOutcome::Failed) {
        out.push(Failure::Other(format!("{text}; to retry them, {again}")));
    }
    if let Some(text) = named(RowOutcome::Unknown) {
        out.push(Failure::Unknown(format!(
            "{text}: the change may or may not have been made; to settle it, {again}"
        )));
    }
    out
}
