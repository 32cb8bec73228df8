//! `get ID`: one invite.

use crate::cli::GetArgs;
use crate::exit::{Failure, Outcome};
use crate::output::records;

use super::Context;

pub async fn run(context: &mut Context<'_>, args: GetArgs) -> Result<Outcome, Failure> {
    let client = context.client()?;
    let invite = client
        .retrieve_invite(&args.id)
        .await
        .map_err(|e| Failure::call(&args.id, e))?;
    let now = context.printer.now();
    context.printer.emit(records::one(&invite, now))?;
    Ok(Outcome::success())
}
