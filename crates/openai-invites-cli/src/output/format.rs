//! `-o FORMAT`, and the default that depends on where stdout goes.
//!
//! ```ignore
//! assert_eq!(Shape::of(None, true), Shape::Table);                       // a terminal
//! assert_eq!(Shape::of(None, false), Shape::Tsv { header: false });     // a pipe
//! ```

use clap::ValueEnum;

/// What `-o` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns, relative times, colours where supported.
    Table,
    /// The API's own objects; a list is a JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
}

/// How output is laid out, once the default is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Table,
    Json,
    Jsonl,
    Csv,
    /// Tab-separated; piped output by default has no header (gh's convention).
    Tsv {
        header: bool,
    },
}

impl Shape {
    /// The shape for `-o` (or its absence) when stdout is, or is not, a terminal.
    pub fn of(format: Option<Format>, stdout_is_terminal: bool) -> Self {
        match format {
            Some(Format::Table) => Self::Table,
            Some(Format::Json) => Self::Json,
            Some(Format::Jsonl) => Self::Jsonl,
            Some(Format::Csv) => Self::Csv,
            Some(Format::Tsv) => Self::Tsv { header: true },
            None if stdout_is_terminal => Self::Table,
            None => Self::Tsv { header: false },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_stdout() {
        assert_eq!(Shape::of(None, true), Shape::Table);
        assert_eq!(Shape::of(None, false), Shape::Tsv { header: false });
        assert_eq!(
            Shape::of(Some(Format::Tsv), false),
            Shape::Tsv { header: true }
        );
        assert_eq!(Shape::of(Some(Format::Table), false), Shape::Table);
        assert_eq!(Shape::of(Some(Format::Json), true), Shape::Json);
    }
}
