//! `completions SHELL`: a completion script, generated from the command line's definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::{Failure, Outcome};

use super::Context;

pub fn run(context: &mut Context<'_>, args: CompletionsArgs) -> Result<Outcome, Failure> {
    let mut script = Vec::new();
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    context
        .printer
        .emit_text(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::success())
}
