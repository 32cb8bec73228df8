//! `openai-invites`: the OpenAI organization invites admin API from the command line.
//!
//! Parsing, configuration and the work are apart, as in ripgrep and uv: clap parses the
//! arguments ([`cli`]), the global flags become one plain [`Config`](config::Config), each
//! command is a function that takes a [`Context`](commands::Context) and returns an
//! [`Outcome`](exit::Outcome), everything printed goes through one
//! [`Printer`](output::Printer), and [`exit::code`] alone turns the outcome into the exit code.
//!
//! ```sh
//! openai-invites --demo list                  # no key, no network: a fake with sample invites
//! openai-invites invite ana@example.com --role reader --dry-run
//! ```

mod cli;
mod commands;
mod config;
mod connect;
mod demo;
mod exit;
mod logging;
mod output;
mod rate;
mod shared_limit;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::commands::Context;
use crate::config::Config;
use crate::exit::{Failure, Outcome};
use crate::output::Printer;

fn main() -> ExitCode {
    // Replaced by one for the chosen format once the flags are parsed.
    let mut printer = Printer::new(None, 0);
    let outcome = run(&mut printer);
    outcome.report(&mut printer);
    ExitCode::from(exit::code(&outcome))
}

fn run(printer: &mut Printer) -> Outcome {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version are "errors" to clap too; `exit::code` tells them apart.
        Err(error) => {
            let mut outcome = Outcome::failed(Failure::Usage(error));
            // Terraform's convention covers usage errors too: 1, not 2.
            if cli::asks_detailed_exitcode(std::env::args_os().skip(1)) {
                outcome.detailed_exitcode();
            }
            return outcome;
        }
    };
    let detailed = cli.command.detailed_exitcode();
    let mut outcome = work(cli, printer);
    if detailed {
        outcome.detailed_exitcode();
    }
    outcome
}

fn work(cli: Cli, printer: &mut Printer) -> Outcome {
    let config = match Config::from_args(&cli.global) {
        Ok(config) => config,
        Err(failure) => return Outcome::failed(failure),
    };
    *printer = Printer::new(config.format, config.now);
    logging::init(config.verbosity, printer.stderr_colors());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let failure = Failure::Other(format!("could not start the async runtime: {e}"));
            return Outcome::failed(failure);
        }
    };
    let outcome = runtime.block_on(async {
        let mut context = Context::new(config, printer);
        if cli.command.stops_itself() {
            return commands::run(cli.command, &mut context).await;
        }
        tokio::select! {
            outcome = commands::run(cli.command, &mut context) => outcome,
            // Ctrl-C: the command's future is dropped where it stands (a request in flight is
            // abandoned); exit 130, as shells expect.
            _ = tokio::signal::ctrl_c() => Outcome::interrupted(),
        }
    });
    // A prompt's reader may still wait for a line after Ctrl-C: do not wait for it.
    runtime.shutdown_background();
    outcome
}
