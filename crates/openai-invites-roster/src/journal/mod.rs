//! The journal: an append-only JSON Lines file that makes an apply resumable after a crash.
//!
//! Before each request that changes something the engine writes an intent, after it what it
//! did, and when a row ends its outcome; each record is one line, written and `fsync`ed before
//! the engine goes on with that row (an intent is durable before its request is sent). The
//! writes happen on a thread of their own, in groups: the records of every row that is waiting
//! are written together and made durable by one `fsync`. Run again with the same journal and
//! the rows it finished are skipped; a row with an intent and no outcome is settled by reading
//! the service (never by sending the request again blind). A last line cut short (the process
//! was killed mid-write) is dropped when the journal is opened. After a write fails, the
//! journal takes no more records (so none can follow a torn line), and the run stops starting
//! rows.
//!
//! Use one journal per roster job, and one process at a time (the file is not locked): rows
//! are matched by email and terms (by invite, for revocations), whatever plan they came
//! from, and a row the journal finished is skipped even if the organization changed since.
//!
//! ```
//! use openai_invites_roster::Journal;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("cohort.journal.jsonl");
//! std::fs::write(&path, "{\"record\":\"intent\",\"at_ms\":1,\"email\":\"ana@example.com\",\"action\":\"invite\",\"step\":\"create\"}\n{\"record\":\"sen")?;
//! let journal = Journal::open(&path)?; // the torn second line is dropped
//! assert_eq!(journal.records()?.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod record;
mod state;
mod writer;

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

pub use record::{Record, Step, StepResult};
pub(crate) use state::{JournalState, Journaled, UnderWay};
use writer::Writer;

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Reading or writing it failed.
    #[error("journal {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line other than the last is not a record: the file is not this crate's journal, or
    /// was edited.
    #[error("journal {}: line {line} is not a journal record: {why}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// Why.
        why: String,
    },
}

/// An open journal. Records are appended by a thread of its own, in groups (one `write` and
/// one `fsync` for every record waiting), so a record is either wholly on disk or, if the
/// process dies mid-write, part of a torn last line.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    writer: Writer,
    state: Mutex<JournalState>,
}

impl Journal {
    /// Opens the journal at `path`, creating it if missing, and reads what it holds. A torn
    /// last line is cut off the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        let path = path.as_ref().to_owned();
        let io = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        let created = !path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io)?;
        if created {
            sync_parent(&path);
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let (records, clean_len) = parse(&path, &bytes)?;
        if clean_len < bytes.len() {
            file.set_len(clean_len as u64).map_err(io)?;
            file.sync_data().map_err(io)?;
        } else if bytes.last().is_some_and(|b| *b != b'\n') {
            // A whole record without its newline: end the line before the next one.
            file.write_all(b"\n").map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        let mut state = JournalState::default();
        records.iter().for_each(|r| state.apply(r));
        Ok(Self {
            writer: Writer::start(file).map_err(io)?,
            path,
            state: Mutex::new(state),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record in it, oldest first (read again from the file).
    pub fn records(&self) -> Result<Vec<Record>, JournalError> {
        let bytes = std::fs::read(&self.path).map_err(|source| JournalError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(parse(&self.path, &bytes)?.0)
    }

    /// Appends `record` as one line; resolves once it is durable (written and `fsync`ed).
    pub(crate) async fn append(&self, record: &Record) -> Result<(), JournalError> {
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(record).map_err(|e| io(e.into()))?;
        line.push(b'\n');
        self.writer.write(line).await.map_err(io)?;
        self.lock().apply(record);
        Ok(())
    }

    /// What the records say, as of now.
    pub(crate) fn state(&self) -> JournalState {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, JournalState> {
        // Plain values: a panic while holding the lock cannot leave them half-updated.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The current time as the journal writes it (unix milliseconds).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The records of `bytes`, and the length of the part that ends with a whole line (or a
/// whole record): what follows is a torn write.
fn parse(path: &Path, bytes: &[u8]) -> Result<(Vec<Record>, usize), JournalError> {
    let mut records = Vec::new();
    let mut start = 0;
    for (at, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let end = start + line.len();
        let whole = end < bytes.len(); // a newline follows
        start = end + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(record) => records.push(record),
            Err(_) if !whole => return Ok((records, end - line.len())),
            Err(e) => {
                return Err(JournalError::Corrupt {
                    path: path.to_owned(),
                    line: at + 1,
                    why: e.to_string(),
                });
            }
        }
    }
    Ok((records, bytes.len()))
}

/// Makes a new file's name durable too (Unix; elsewhere best left to the system).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        let dir = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        // Best effort: the journal still works if the directory cannot be synced.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = path;
}
