//! `plan ROSTER`: what applying the roster would change, from one read of the invites;
//! nothing is changed. The actions go to stdout, the summary to stderr; `--out` saves the
//! plan for `apply`.

use openai_invites_roster::{Action, PlanOptions, plan, read_invites};

use crate::cli::PlanArgs;
use crate::exit::{Failure, Outcome};
use crate::output::roster as shown;

use super::Context;
use super::roster::{self, Source};

/// The plan, printed and saved; the outcome says whether there is something to apply (which
/// shows with --detailed-exitcode: `main` turns terraform's exit codes on).
pub async fn run(context: &mut Context<'_>, args: PlanArgs) -> Result<Outcome, Failure> {
    let roster = match roster::read(&args.roster, context.printer)? {
        Source::Roster(roster) => roster,
        Source::Saved(_) => {
            return Err(Failure::Refused(format!(
                "{} is a saved plan: give `plan` a roster, or `apply` the plan",
                args.roster.display()
            )));
        }
    };
    let client = context.client()?;
    let invites = read_invites(&client)
        .await
        .map_err(|e| Failure::call("reading the invites", e))?;
    let plan = plan(&roster, &invites, PlanOptions::from(args.options));
    let all: Vec<&Action> = plan.actions.iter().collect();
    context.printer.emit(shown::actions(&plan, &all))?;
    roster::summarize(context.printer, &plan);
    if let Some(out) = &args.out {
        std::fs::write(out, plan.to_json() + "\n").map_err(|e| {
            Failure::Other(format!("cannot write the plan to {}: {e}", out.display()))
        })?;
        let source = args.roster.display();
        context.printer.note(&format!(
            "saved to {}: `openai-invites apply {}` applies it, unless the invites it acts on \
             change first (then plan {source} again)",
            out.display(),
            out.display()
        ));
    }
    let mut outcome = Outcome::done(plan.actions.len());
    outcome.changes_to_apply(roster::changes(&plan) > 0);
    Ok(outcome)
}
