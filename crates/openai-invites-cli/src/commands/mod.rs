//! One function per command: each takes the [`Context`] and its own arguments and returns
//! an [`Outcome`]. A new command is a module here and one line in [`run`].
//!
//! ```ignore
//! let outcome = commands::run(cli.command, &mut Context::new(config, &mut printer)).await;
//! ```

mod apply;
mod completions;
mod delete;
mod get;
mod invite;
mod list;
mod plan;
mod roster;

use openai_invites::Client;

use crate::cli::Command;
use crate::config::{Config, KeySource};
use crate::connect;
use crate::exit::{Failure, Outcome};
use crate::output::Printer;

/// What every command works with: the configuration and the one writer.
pub struct Context<'p> {
    pub config: Config,
    pub printer: &'p mut Printer,
}

impl<'p> Context<'p> {
    pub fn new(config: Config, printer: &'p mut Printer) -> Self {
        Self { config, printer }
    }

    /// The client the configuration describes (for `--demo`, a fresh seeded fake).
    pub fn client(&mut self) -> Result<Client, Failure> {
        if self.config.key == KeySource::Demo {
            self.printer.note(
                "demo: 12 sample invites in a fake service inside this process (no key, no \
                 network; changes are forgotten on exit)",
            );
        }
        connect::client(&self.config)
    }
}

/// Runs the command.
pub async fn run(command: Command, context: &mut Context<'_>) -> Outcome {
    let result = match command {
        Command::List(args) => list::run(context, args).await,
        Command::Get(args) => get::run(context, args).await,
        Command::Invite(args) => invite::run(context, args).await,
        Command::Delete(args) => delete::run(context, args).await,
        Command::Plan(args) => plan::run(context, args).await,
        Command::Apply(args) => apply::run(context, args).await,
        Command::Completions(args) => completions::run(context, args),
    };
    result.unwrap_or_else(Outcome::failed)
}
