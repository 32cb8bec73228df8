//! The one writer: data on stdout in the chosen [`Shape`], everything else (progress,
//! warnings, errors, the delete prompt) on stderr. It alone knows whether each stream is a
//! terminal; colours follow `NO_COLOR`, `CLICOLOR` and `CLICOLOR_FORCE` (anstream).
//!
//! ```ignore
//! let mut printer = Printer::new(None, now);      // a table on a terminal, TSV in a pipe
//! printer.emit(records::list(&invites, now))?;
//! printer.warning("ana@example.com already has a pending invite");
//! ```

mod format;
pub mod records;
pub mod roster;
mod table;
mod time;

use std::io::{self, BufRead, IsTerminal, Stderr, Stdout, Write};

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};
use serde::Serialize;

pub use format::{Format, Shape};
pub use records::Records;
use table::Cell;

/// Stdout could not be written (a closed pipe is not an error: the output just stops).
#[derive(Debug)]
pub struct OutputError(io::Error);

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write the output: {}", self.0)
    }
}

/// The JSON of records: the API's objects, serialized from the typed models (so their fields
/// keep the API's order).
#[derive(Debug)]
pub struct Json {
    /// `-o json`: an object, or an array for a list.
    pretty: String,
    /// `-o jsonl`: one object per line.
    lines: Vec<String>,
}

impl Json {
    /// One object (`get`, `invite`).
    pub fn one(object: &impl Serialize) -> Self {
        Self {
            pretty: to_json(object, true),
            lines: vec![to_json(object, false)],
        }
    }

    /// A list.
    pub fn many<T: Serialize>(objects: &[T]) -> Self {
        Self {
            pretty: to_json(&objects, true),
            lines: objects.iter().map(|o| to_json(o, false)).collect(),
        }
    }
}

/// The models' `Serialize` writes only strings, numbers, booleans and lists, which
/// serde_json cannot fail on; the empty fallback is never taken.
fn to_json(object: &impl Serialize, pretty: bool) -> String {
    let text = match pretty {
        true => serde_json::to_string_pretty(object),
        false => serde_json::to_string(object),
    };
    text.unwrap_or_default()
}

/// What a table shows.
#[derive(Debug)]
pub enum TableView {
    /// A header and aligned rows.
    Rows {
        columns: &'static [&'static str],
        rows: Vec<Vec<Cell>>,
    },
    /// One record, a field per line.
    Details(Vec<(&'static str, Cell)>),
}

/// Writes everything the program says.
pub struct Printer {
    out: AutoStream<Stdout>,
    err: AutoStream<Stderr>,
    stdin_terminal: bool,
    stderr_terminal: bool,
    shape: Shape,
    now: i64,
    /// Width of the progress line on screen (0: none).
    progress: usize,
    /// The reader of stdout went away (`| head`): the rest of the data is dropped quietly.
    closed: bool,
}

impl Printer {
    /// `format` (or the default for where stdout goes); `now` for relative times.
    pub fn new(format: Option<Format>, now: i64) -> Self {
        let stdout = io::stdout();
        let shape = Shape::of(format, stdout.is_terminal());
        let stderr = io::stderr();
        Self {
            stderr_terminal: stderr.is_terminal(),
            stdin_terminal: io::stdin().is_terminal(),
            out: AutoStream::auto(stdout),
            err: AutoStream::auto(stderr),
            shape,
            now,
            progress: 0,
            closed: false,
        }
    }

    /// "Now", as relative times count from it.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Whether stderr shows colours (for the log lines of `-v`).
    pub fn stderr_colors(&self) -> bool {
        matches!(
            self.err.current_choice(),
            ColorChoice::Always | ColorChoice::AlwaysAnsi
        )
    }

    /// Whether stderr is a terminal (progress is drawn there, not written line by line).
    pub fn stderr_is_terminal(&self) -> bool {
        self.stderr_terminal
    }

    /// A person is there to answer a question: stdin and stderr are terminals.
    pub fn interactive(&self) -> bool {
        self.stdin_terminal && self.stderr_terminal
    }

    /// Writes records to stdout in the output's shape.
    pub fn emit(&mut self, records: Records) -> Result<(), OutputError> {
        let shape = self.shape;
        self.data(|out| write_records(out, shape, records))
    }

    /// Writes text to stdout as it is (a completion script).
    pub fn emit_text(&mut self, text: &str) -> Result<(), OutputError> {
        self.data(|out| out.write_all(text.as_bytes()))
    }

    fn data(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        if self.closed {
            return Ok(());
        }
        self.end_progress();
        let result = write(&mut self.out).and_then(|()| self.out.flush());
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(OutputError(e)),
        }
    }

    /// `label text` on stderr, the label styled (`created invite-1 for ana@example.com`).
    pub fn status(&mut self, label: &str, color: AnsiColor, text: &str) {
        let style = Style::new().bold().fg_color(Some(color.into()));
        self.say(&format!(
            "{}{label}{} {}",
            style.render(),
            style.render_reset(),
            records::clean(text)
        ));
    }

    /// A plain line on stderr.
    pub fn note(&mut self, text: &str) {
        self.say(&records::clean(text));
    }

    pub fn warning(&mut self, text: &str) {
        self.status("warning:", AnsiColor::Yellow, text);
    }

    /// `error: text` on stderr.
    pub fn error_line(&mut self, text: &str) {
        self.status("error:", AnsiColor::Red, text);
    }

    /// Replaces the progress line on stderr; nothing unless stderr is a terminal.
    pub fn progress(&mut self, text: &str) {
        if !self.stderr_terminal {
            return;
        }
        let width = text.chars().count();
        let blank = self.progress.saturating_sub(width);
        let _ = write!(self.err, "\r{text}{:blank$}", "");
        let _ = self.err.flush();
        self.progress = width;
    }

    /// Clears the progress line, if one is shown.
    pub fn end_progress(&mut self) {
        if self.progress > 0 {
            let _ = write!(self.err, "\r{:width$}\r", "", width = self.progress);
            self.progress = 0;
        }
    }

    /// Shows records on stderr as a table (what a question is about).
    pub fn show(&mut self, records: Records) {
        self.end_progress();
        let _ = write_records(&mut self.err, Shape::Table, records);
    }

    /// Asks a yes/no question on stderr; only "y" or "yes" is yes. Call only when
    /// [`interactive`](Self::interactive). The answer is read on a blocking thread, so that
    /// Ctrl-C at the prompt still stops the program at once.
    pub async fn confirm(&mut self, question: &str) -> bool {
        self.end_progress();
        let _ = write!(self.err, "{question} [y/N] ");
        let _ = self.err.flush();
        let answer = tokio::task::spawn_blocking(|| {
            let mut answer = String::new();
            io::stdin().lock().read_line(&mut answer).map(|_| answer)
        });
        match answer.await {
            Ok(Ok(answer)) => matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
            _ => false,
        }
    }

    fn say(&mut self, line: &str) {
        self.end_progress();
        let _ = writeln!(self.err, "{line}");
    }
}

fn write_records(out: &mut dyn Write, shape: Shape, records: Records) -> io::Result<()> {
    match shape {
        Shape::Table => match records.table {
            TableView::Rows { columns, rows } => table::write(out, columns, &rows),
            TableView::Details(fields) => table::write_details(out, &fields),
        },
        Shape::Json => writeln!(out, "{}", records.json.pretty),
        Shape::Jsonl => {
            for line in &records.json.lines {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        Shape::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(records.fields)?;
            for row in &records.values {
                csv.write_record(row)?;
            }
            csv.flush()
        }
        Shape::Tsv { header } => {
            if header {
                writeln!(out, "{}", records.fields.join("\t"))?;
            }
            for row in &records.values {
                writeln!(out, "{}", row.join("\t"))?;
            }
            Ok(())
        }
    }
}
