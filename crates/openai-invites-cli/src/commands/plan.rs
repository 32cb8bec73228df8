//! `plan ROSTER`: what applying the roster would change, from one read of the invites;
//! nothing is changed. The actions go to stdout, the summary to stderr; `--out` saves the
//! plan for `apply`.

use openai_invites_roster::{Action, PlanOptions, plan, read_invites};

use crate::cli::PlanArgs;
use crate::exit::{Failure, Outcome};
use crate::output::roster as shown;

use super::Context;
use super::roster::{self, Source};

pub async fn run(context: &mut Context<'_>, args: PlanArgs) -> Result<Outcome, Failure> {
    let detailed = args.detailed_exitcode;
    let result = plan_roster(context, args).await;
    if !detailed {
        return result.map(|(outcome, _)| outcome);
    }
    // Terraform's convention: every failure is 1, whatever its class.
    let mut outcome = match result {
        Ok((outcome, changes)) => {
            let mut outcome = outcome;
            outcome.detailed_exitcode(changes > 0);
            return Ok(outcome);
        }
        Err(failure) => Outcome::failed(failure),
    };
    outcome.detailed_exitcode(false);
    Ok(outcome)
}

/// The plan, printed and saved; with how many changes it makes.
async fn plan_roster(
    context: &mut Context<'_>,
    args: PlanArgs,
) -> Result<(Outcome, usize), Failure> {
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
    Ok((Outcome::done(plan.actions.len()), roster::changes(&plan)))
}
