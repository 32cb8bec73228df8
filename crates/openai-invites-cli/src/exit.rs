//! What a command did, and the one function that turns it into an exit code.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | failure (the service refused, a 404, the network, a file...) |
//! | 2 | bad usage or refused (clap's own errors, input the library refuses before sending; a delete without `--yes` off a terminal, declined at the prompt, or of an accepted invite) |
//! | 3 | partial: some of several invites failed, the others were done |
//! | 4 | authentication or permission: no admin key, or the service answered 401/403 |
//! | 5 | outcome unknown: the client could not tell whether a change happened |
//! | 130 | interrupted (Ctrl-C) |
//!
//! With `plan --detailed-exitcode`, terraform's convention instead: 0 nothing to apply, 2
//! something to apply, 1 any error (a usage error too). `apply` exits as its run ended
//! ([`RunStatus`]): 0 as planned, 3 some rows failed, 5 some outcome unknown, 130 interrupted,
//! 1 the journal could not be written.
//!
//! ```ignore
//! let mut outcome = Outcome::default();
//! outcome.fail(&mut printer, Failure::Refused("an accepted invite cannot be deleted".into()));
//! assert_eq!(exit::code(&outcome), 2);
//! ```

use std::fmt;

use openai_invites::{Error, ErrorKind};
use openai_invites_roster::RunStatus;

use crate::output::{OutputError, Printer};

/// Why something the user asked for was not done.
#[derive(Debug)]
pub enum Failure {
    /// clap could not parse the command line (or printed help or the version).
    Usage(clap::Error),
    /// Refused before or instead of acting: bad configuration, a missing `--yes`, an accepted
    /// invite, the user said no.
    Refused(String),
    /// No admin key was found.
    NoKey(String),
    /// A call to the service failed: `what` names the thing it was about.
    Call {
        /// The subject, e.g. the invite id or the email.
        what: String,
        /// The library's error (scrubbed of secrets, one line).
        error: Error,
    },
    /// Anything else: a file that cannot be read, output that cannot be written.
    Other(String),
    /// Changes whose outcome is unknown (not a single call's: those are `Call`s).
    Unknown(String),
}

impl Failure {
    /// Whether it is clap's help or version, which are not errors.
    fn is_help(&self) -> bool {
        matches!(self, Self::Usage(error) if !error.use_stderr())
    }

    /// A failed call about `what`.
    pub fn call(what: impl Into<String>, error: Error) -> Self {
        Self::Call {
            what: what.into(),
            error,
        }
    }

    /// What the user can do about it, when there is something to say.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::Call { error, .. } if error.is_unauthorized() => Some(
                "the key was refused: the invites API needs an organization admin key \
                 (sk-admin-...) from OPENAI_ADMIN_KEY, --admin-key-file or --admin-key-stdin",
            ),
            Self::Call { error, .. } if error.is_outcome_unknown() => Some(
                "the change may or may not have happened: run `openai-invites list` to see \
                 where things stand before trying again",
            ),
            _ => None,
        }
    }
}

impl From<OutputError> for Failure {
    fn from(error: OutputError) -> Self {
        Self::Other(error.to_string())
    }
}

/// Prints `error: what failed` on stderr, with the hint where there is one (clap prints its
/// own errors, and help, as it does).
fn print(printer: &mut Printer, failure: &Failure) {
    if let Failure::Usage(error) = failure {
        let _ = error.print();
        return;
    }
    let mut text = failure.to_string();
    if let Some(hint) = failure.hint().filter(|_| !text.contains("hint:")) {
        text.push_str("; hint: ");
        text.push_str(hint);
    }
    printer.error_line(&text);
}

/// One line: the library's errors are already one line, and the service's words may not be.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::Usage(error) => error.to_string(),
            Self::Refused(text) | Self::NoKey(text) | Self::Other(text) | Self::Unknown(text) => {
                text.clone()
            }
            // An empty or blank subject is quoted, so that it still reads as one.
            Self::Call { what, error } if what.trim().is_empty() => format!("{what:?}: {error}"),
            Self::Call { what, error } => format!("{what}: {error}"),
        };
        f.write_str(&one_line(&text))
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a command did: how many things it did, what failed, whether it was interrupted.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Things done (invites deleted, listed, created...).
    pub done: usize,
    failures: Vec<Failure>,
    /// How many of `failures` were already printed.
    printed: usize,
    interrupted: bool,
    /// `plan`: there is something to apply.
    changes: bool,
    /// `plan --detailed-exitcode`: terraform's exit codes.
    detailed: bool,
    /// `apply`: how its run ended.
    run: Option<RunStatus>,
}

impl Outcome {
    /// One thing done.
    pub fn success() -> Self {
        Self::done(1)
    }

    /// `n` things done, nothing failed (yet).
    pub fn done(n: usize) -> Self {
        Self {
            done: n,
            ..Self::default()
        }
    }

    /// Nothing done, one failure (printed at the end).
    pub fn failed(failure: Failure) -> Self {
        Self {
            failures: vec![failure],
            ..Self::default()
        }
    }

    /// Stopped by Ctrl-C.
    pub fn interrupted() -> Self {
        Self {
            interrupted: true,
            ..Self::default()
        }
    }

    /// Says that there is something to apply (`plan`; it shows only with
    /// [`detailed_exitcode`](Self::detailed_exitcode)).
    pub fn changes_to_apply(&mut self, changes: bool) {
        self.changes = changes;
    }

    /// Exits by terraform's convention: 0 nothing to apply, 2 something to apply, 1 on any
    /// failure (help and the version aside).
    pub fn detailed_exitcode(&mut self) {
        self.detailed = true;
    }

    /// Says how an apply's run ended: that alone decides the exit code, unless the run went
    /// as planned and something after it failed (the report could not be written...).
    pub fn ran(&mut self, status: RunStatus) {
        self.run = Some(status);
    }

    /// Records a failure and prints it now (commands that go on after one say so at once).
    pub fn fail(&mut self, printer: &mut Printer, failure: Failure) {
        print(printer, &failure);
        self.failures.push(failure);
        self.printed = self.failures.len();
    }

    /// Prints what was not printed yet: failures recorded without a printer, the interruption.
    pub fn report(&self, printer: &mut Printer) {
        for failure in &self.failures[self.printed..] {
            print(printer, failure);
        }
        if self.interrupted {
            printer.error_line("interrupted");
        }
    }

    #[cfg(test)]
    fn with(done: usize, failures: Vec<Failure>) -> Self {
        Self {
            done,
            failures,
            ..Self::default()
        }
    }
}

/// The exit code: the one place that decides it.
///
/// One failure gives its class; several things of which some failed give 3 (partial); an
/// unknown outcome anywhere gives 5, since it is the one the user must look into; with
/// nothing done, the most serious class among the failures.
pub fn code(outcome: &Outcome) -> u8 {
    const SUCCESS: u8 = 0;
    const FAILURE: u8 = 1;
    const REFUSED: u8 = 2;
    const PARTIAL: u8 = 3;
    const AUTH: u8 = 4;
    const UNKNOWN: u8 = 5;
    const INTERRUPTED: u8 = 130;
    if outcome.interrupted {
        return INTERRUPTED;
    }
    if outcome.detailed {
        const CHANGES: u8 = 2;
        let failed = outcome.failures.iter().any(|f| !f.is_help());
        return match (failed, outcome.changes) {
            (true, _) => FAILURE,
            (false, true) => CHANGES,
            (false, false) => SUCCESS,
        };
    }
    match outcome.run {
        Some(RunStatus::JournalFailed) => return FAILURE,
        Some(RunStatus::Interrupted) => return INTERRUPTED,
        Some(RunStatus::SomeUnknown) => return UNKNOWN,
        Some(RunStatus::SomeFailed) => return PARTIAL,
        Some(RunStatus::AsPlanned) | None => {}
    }
    let class = |failure: &Failure| match failure {
        failure if failure.is_help() => SUCCESS,
        Failure::Usage(_) | Failure::Refused(_) => REFUSED,
        // Input the library refused before sending (an empty id...): bad usage.
        Failure::Call { error, .. } if error.kind() == ErrorKind::Encode => REFUSED,
        Failure::NoKey(_) => AUTH,
        Failure::Call { error, .. } if error.is_outcome_unknown() => UNKNOWN,
        Failure::Unknown(_) => UNKNOWN,
        Failure::Call { error, .. } if error.is_unauthorized() => AUTH,
        Failure::Call { .. } | Failure::Other(_) => FAILURE,
    };
    let classes: Vec<u8> = outcome.failures.iter().map(class).collect();
    // Most serious first.
    let rank = |code: &u8| match *code {
        UNKNOWN => 0,
        AUTH => 1,
        FAILURE => 2,
        REFUSED => 3,
        _ => 4,
    };
    match classes.iter().min_by_key(|c| rank(c)) {
        None => SUCCESS,
        Some(&UNKNOWN) => UNKNOWN,
        Some(_) if outcome.done > 0 => PARTIAL,
        Some(&worst) => worst,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn refused() -> Failure {
        Failure::Refused("no".into())
    }

    fn other() -> Failure {
        Failure::Other("disk full".into())
    }

    #[test]
    fn one_class_per_failure() {
        assert_eq!(code(&Outcome::default()), 0);
        assert_eq!(code(&Outcome::success()), 0);
        assert_eq!(code(&Outcome::failed(other())), 1);
        assert_eq!(code(&Outcome::failed(refused())), 2);
        assert_eq!(code(&Outcome::failed(Failure::NoKey("k".into()))), 4);
        assert_eq!(code(&Outcome::interrupted()), 130);
    }

    #[test]
    fn some_done_some_failed_is_partial() {
        assert_eq!(code(&Outcome::with(2, vec![other()])), 3);
        assert_eq!(code(&Outcome::with(1, vec![refused()])), 3);
    }

    #[test]
    fn nothing_done_gives_the_most_serious() {
        assert_eq!(code(&Outcome::with(0, vec![refused(), other()])), 1);
        assert_eq!(
            code(&Outcome::with(
                0,
                vec![refused(), Failure::NoKey("k".into())]
            )),
            4
        );
    }

    #[test]
    fn help_is_success_and_bad_flags_are_usage() {
        use clap::{CommandFactory, error::ErrorKind};
        let mut command = crate::cli::Cli::command();
        let help = command.error(ErrorKind::DisplayHelp, "help");
        let bad = command.error(ErrorKind::UnknownArgument, "--nope");
        assert_eq!(code(&Outcome::failed(Failure::Usage(help))), 0);
        assert_eq!(code(&Outcome::failed(Failure::Usage(bad))), 2);
    }

    #[test]
    fn unknown_outranks_and_the_detailed_exitcode_is_terraforms() {
        use clap::{CommandFactory, error::ErrorKind};
        let unknown = || Failure::Unknown("1 row unknown".into());
        assert_eq!(code(&Outcome::with(5, vec![other(), unknown()])), 5);
        let detailed = |mut outcome: Outcome, changes: bool| {
            outcome.changes_to_apply(changes);
            outcome.detailed_exitcode();
            code(&outcome)
        };
        assert_eq!(detailed(Outcome::default(), true), 2);
        assert_eq!(detailed(Outcome::success(), false), 0);
        assert_eq!(
            detailed(Outcome::failed(Failure::NoKey("k".into())), false),
            1
        );
        assert_eq!(detailed(Outcome::failed(refused()), false), 1);
        let mut command = crate::cli::Cli::command();
        let bad = command.error(ErrorKind::UnknownArgument, "--prnue");
        let help = command.error(ErrorKind::DisplayHelp, "help");
        assert_eq!(detailed(Outcome::failed(Failure::Usage(bad)), false), 1);
        assert_eq!(detailed(Outcome::failed(Failure::Usage(help)), false), 0);
        let mut stopped = Outcome::with(3, vec![other()]);
        stopped.interrupted = true;
        assert_eq!(code(&stopped), 130);
    }

    #[test]
    fn an_apply_exits_as_its_run_ended() {
        let ran = |status, failures| {
            let mut outcome = Outcome::with(0, failures);
            outcome.ran(status);
            code(&outcome)
        };
        let unknown = || Failure::Unknown("1 row unknown".into());
        assert_eq!(ran(RunStatus::AsPlanned, vec![]), 0);
        assert_eq!(ran(RunStatus::SomeFailed, vec![other()]), 3);
        assert_eq!(ran(RunStatus::SomeUnknown, vec![other(), unknown()]), 5);
        assert_eq!(ran(RunStatus::Interrupted, vec![unknown()]), 130);
        // A journal that could not be written outranks the rest, an interruption too.
        assert_eq!(ran(RunStatus::JournalFailed, vec![unknown(), other()]), 1);
        // As planned, but the report could not be written.
        assert_eq!(ran(RunStatus::AsPlanned, vec![other()]), 1);
    }

    #[test]
    fn failures_print_on_one_line() {
        let failure = Failure::Other("first\nsecond   third".into());
        assert_eq!(failure.to_string(), "first second third");
    }
}
