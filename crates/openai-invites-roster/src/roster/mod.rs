//! The roster: who should be invited, with which role, into which projects; validated whole
//! before anything is sent.
//!
//! ```
//! use openai_invites_roster::{Roster, RosterFormat};
//!
//! let csv = "email,role,projects\n\
//!            ana@example.com,reader,\n\
//!            bo@example.com,owner,proj_a proj_b:owner\n\
//!            cy@example.com,reader,-\n\
//!            ANA@example.com,Reader,\n";
//! let roster = Roster::parse(csv, RosterFormat::Csv)?;
//! assert_eq!(roster.len(), 3); // Ana twice with the same terms: merged
//! assert_eq!(roster.rows()[1].line, 3);
//! assert_eq!(roster.rows()[2].request.projects, Some(vec![])); // `-`: no project
//!
//! let bad = "email,role\nnot-an-email,reader\nbo@example.com,admin\n";
//! let error = Roster::parse(bad, RosterFormat::Csv).unwrap_err();
//! assert_eq!(error.problems().len(), 2);
//! assert!(error.to_string().contains("line 3: unknown role `admin`"));
//! # Ok::<(), openai_invites_roster::RosterError>(())
//! ```

mod check;
mod csv;
mod error;
mod json;

use std::path::Path;

use openai_invites_core::InviteRequest;

pub(crate) use check::Terms;
pub use error::{Problem, ProblemKind, RosterError};

/// A validated roster: one row per person (emails compare case-insensitively; repeats with
/// the same terms were merged into the first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roster {
    rows: Vec<RosterRow>,
}

/// One person of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// The line the row is on (its first line, for a repeated email); for a roster built from
    /// requests in code, its position counted from 1.
    pub line: usize,
    /// What to invite them with (the email trimmed, its case kept).
    pub request: InviteRequest,
}

/// How a roster file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    /// A header `email,role,projects`, then one person a line; `projects` is empty for the
    /// default project, `-` for none, else space-separated `ID[:member|owner]` (a bare `ID`
    /// is a `member`). Roles are read whatever their case; lines starting with `#` are comments.
    Csv,
    /// A JSON array of invite requests, as the API takes them.
    Json,
    /// JSON Lines: one invite request a line.
    JsonLines,
}

impl RosterFormat {
    /// The format a file's extension names: `.csv`, `.json`, `.jsonl` or `.ndjson`.
    pub fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            _ => None,
        }
    }
}

impl Roster {
    /// Reads and validates `text`. Every problem is reported at once, each with its line.
    pub fn parse(text: &str, format: RosterFormat) -> Result<Self, RosterError> {
        let (candidates, problems) = match format {
            RosterFormat::Csv => csv::read(text),
            RosterFormat::Json => json::read_array(text),
            RosterFormat::JsonLines => json::read_lines(text),
        };
        check::roster(candidates, problems)
    }

    /// Reads the file at `path`, in the format its extension names ([`RosterFormat::of_path`]).
    pub fn read_file(path: impl AsRef<Path>) -> Result<Self, RosterError> {
        let path = path.as_ref();
        let format = RosterFormat::of_path(path).ok_or_else(|| RosterError::UnknownFormat {
            path: path.to_owned(),
        })?;
        let text = std::fs::read_to_string(path).map_err(|source| RosterError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, format)
    }

    /// A roster from requests made in code, checked as a file's rows are (a row's "line" is
    /// its position, counted from 1).
    ///
    /// ```
    /// use openai_invites_roster::{InviteRequest, InviteRole, Roster};
    ///
    /// let roster = Roster::from_requests([
    ///     InviteRequest::new("ana@example.com", InviteRole::Reader),
    ///     InviteRequest::new("bo@example.com", InviteRole::Owner).without_projects(),
    /// ])?;
    /// assert_eq!(roster.len(), 2);
    /// # Ok::<(), openai_invites_roster::RosterError>(())
    /// ```
    pub fn from_requests(
        requests: impl IntoIterator<Item = InviteRequest>,
    ) -> Result<Self, RosterError> {
        let candidates = requests
            .into_iter()
            .enumerate()
            .map(|(at, request)| check::Candidate {
                line: at + 1,
                request,
                broken: false,
            })
            .collect();
        check::roster(candidates, Vec::new())
    }

    /// The rows, in file order.
    pub fn rows(&self) -> &[RosterRow] {
        &self.rows
    }

    /// How many people.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether nobody is on it.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
