//! `list`: every page of invites (pages of 100), filtered here (the API filters nothing),
//! with a count on stderr while pages come in on a terminal.

use std::pin::pin;

use openai_invites::{Invite, ListInvites, TryStreamExt};

use crate::cli::ListArgs;
use crate::exit::{Failure, Outcome};
use crate::output::records;

use super::Context;

pub async fn run(context: &mut Context<'_>, args: ListArgs) -> Result<Outcome, Failure> {
    let client = context.client()?;
    let needle = args.email.as_deref().map(str::to_lowercase);
    let wanted = |invite: &Invite| {
        args.status.as_ref().is_none_or(|s| *s == invite.status)
            && needle
                .as_deref()
                .is_none_or(|n| invite.email.to_lowercase().contains(n))
    };
    let limit = args.limit.map_or(usize::MAX, |n| n.get());
    let mut invites = pin!(client.list_all_invites(ListInvites::new().max_limit()));
    let mut kept = Vec::new();
    let mut read: u64 = 0;
    while kept.len() < limit {
        let next = invites.try_next().await;
        let Some(invite) = next.map_err(|e| Failure::call("listing invites", e))? else {
            break;
        };
        read += 1;
        if read % u64::from(ListInvites::MAX_LIMIT) == 0 {
            context.printer.progress(&format!("{read} invites read..."));
        }
        if wanted(&invite) {
            kept.push(invite);
        }
    }
    let now = context.printer.now();
    context.printer.emit(records::list(&kept, now))?;
    Ok(Outcome::done(kept.len()))
}
