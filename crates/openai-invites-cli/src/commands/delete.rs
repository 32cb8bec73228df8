//! `delete ID... | --email EMAIL [--yes]`: reads each invite first (to show what goes, and to
//! refuse accepted ones with a clear message), asks on a terminal, then deletes.
//!
//! Off a terminal and without `--yes` nothing is read or sent: exit 2 at once.

use openai_invites::{Invite, InviteFilter, InviteStatus};

use crate::cli::DeleteArgs;
use crate::exit::{Failure, Outcome};
use crate::output::records;

use super::Context;

pub async fn run(context: &mut Context<'_>, args: DeleteArgs) -> Result<Outcome, Failure> {
    if !args.yes && !context.printer.interactive() {
        return Err(Failure::Refused(
            "refusing to delete without --yes: not on a terminal, so there is no one to ask"
                .to_owned(),
        ));
    }
    let client = context.client()?;
    let mut outcome = Outcome::default();
    let found = match &args.email {
        Some(email) => {
            let mine = client
                .all_invites(InviteFilter::all().email(email))
                .await
                .map_err(|e| Failure::call(email, e))?;
            if mine.is_empty() {
                return Err(Failure::Other(format!("{email}: no invite for this email")));
            }
            mine
        }
        None => {
            let mut found = Vec::new();
            for id in &args.ids {
                match client.retrieve_invite(id).await {
                    Ok(invite) => found.push(invite),
                    Err(e) => outcome.fail(context.printer, Failure::call(id, e)),
                }
            }
            found
        }
    };
    let (accepted, deletable): (Vec<Invite>, Vec<Invite>) = found
        .into_iter()
        .partition(|i| i.status == InviteStatus::Accepted);
    for invite in accepted {
        let refusal = format!(
            "{} ({}) was accepted: an accepted invite cannot be deleted, the person is already \
             a member of the organization (remove them from its members instead)",
            invite.id, invite.email
        );
        outcome.fail(context.printer, Failure::Refused(refusal));
    }
    if deletable.is_empty() {
        return Ok(outcome);
    }
    if !args.yes {
        let now = context.printer.now();
        context.printer.show(records::list(&deletable, now));
        let question = match deletable.len() {
            1 => "Delete this invite?".to_owned(),
            n => format!("Delete these {n} invites?"),
        };
        if !context.printer.confirm(&question).await {
            let declined = Failure::Refused("not confirmed: nothing deleted".to_owned());
            outcome.fail(context.printer, declined);
            return Ok(outcome);
        }
    }
    let mut deleted = Vec::new();
    for invite in deletable {
        match client.delete_invite(&invite.id).await {
            Ok(answer) => deleted.push((invite, answer)),
            Err(e) => outcome.fail(context.printer, Failure::call(&invite.id, e)),
        }
    }
    outcome.done = deleted.len();
    context.printer.emit(records::deleted(&deleted))?;
    Ok(outcome)
}
