//! What is wrong with a roster: every problem, each with its line.

use std::fmt;
use std::path::PathBuf;

/// Why a roster could not be used. Nothing is sent for a roster with any problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RosterError {
    /// The file could not be read.
    #[error("cannot read the roster {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file's name does not say its format.
    #[error(
        "cannot tell the format of the roster {}: name it .csv, .json or .jsonl",
        path.display()
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// Rows are wrong; all of them are listed, in line order.
    #[error("{}", Problems(problems))]
    Invalid {
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

impl RosterError {
    /// The problems of an [`Invalid`](Self::Invalid) roster (none for the other kinds).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

/// One problem, at one line of the file (1 is the first line: a CSV header, or the line a JSON
/// item starts on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line it is on.
    pub line: usize,
    /// What it is.
    pub kind: ProblemKind,
}

/// What is wrong with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The row cannot be read at all (CSV or JSON syntax, a missing field).
    Unreadable(String),
    /// The CSV header is not `email,role,projects` (or `email,role`).
    Header(String),
    /// The email is not an address.
    BadEmail(String),
    /// The organization role is neither `reader` nor `owner`.
    UnknownRole(String),
    /// A project is not `ID`, `ID:member` or `ID:owner` (or, in JSON, has an empty id or
    /// another role), or is listed twice.
    MalformedProject(String),
    /// The email is on an earlier line with other terms (role or projects).
    Conflict {
        /// The email, as written on this line.
        email: String,
        /// The earlier line.
        first_line: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.kind {
            ProblemKind::Unreadable(why) => write!(f, "cannot read the row: {why}"),
            ProblemKind::Header(why) => write!(f, "bad header: {why}"),
            ProblemKind::BadEmail(email) => write!(f, "`{email}` is not an email address"),
            ProblemKind::UnknownRole(role) => {
                write!(f, "unknown role `{role}` (expected reader or owner)")
            }
            ProblemKind::MalformedProject(why) => write!(f, "malformed project: {why}"),
            ProblemKind::Conflict { email, first_line } => write!(
                f,
                "{email} is already on line {first_line} with other terms (role or projects)"
            ),
        }
    }
}

/// The problems, one a line after a count.
struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "the roster has {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}
