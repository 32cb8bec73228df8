//! Record and replay: keep what a real service once answered, and answer from it later
//! without a key and without the network.
//!
//! To record, wrap a real transport in a [`RecordLayer`], hand that to the client
//! (`ClientBuilder::transport(..)`), then [`Cassette::save`]. To replay, [`Cassette::load`] and
//! use [`Cassette::replayer`] as the transport. Credentials are never kept (the core's
//! redaction engine scrubs them, partial echoes included).
//!
//! A request matches a recorded one on method, path, query (in any order) and body (JSON as
//! values); each exchange answers once, in recorded order. A request the cassette does not
//! hold is a [`ReplayError`], which the client treats as a connection lost after sending (it
//! retries reads and reconciles creates before returning it): a test that wants the first miss
//! at once disables retries and reconciliation.
//!
//! ```
//! use bytes::Bytes;
//! use openai_invites_mock::{Cassette, FakeInvites, RecordLayer, ReplayError};
//! use tower::{Layer, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeInvites::new(); // stands for the real service here
//! let request = || {
//!     http::Request::get("/v1/organization/invites?limit=2")
//!         .header("authorization", "Bearer sk-admin-test")
//!         .body(Bytes::new())
//! };
//!
//! let cassette = Cassette::new();
//! let recording = RecordLayer::new(&cassette).layer(fake.service());
//! let live = recording.oneshot(request()?).await?;
//! assert!(!cassette.to_json().contains("sk-admin-test")); // the key is never kept
//!
//! let replayed = cassette.replayer().oneshot(request()?).await?;
//! let json = |body: &Bytes| serde_json::from_slice::<serde_json::Value>(body).unwrap();
//! assert_eq!(json(replayed.body()), json(live.body()));
//! assert!(matches!(
//!     cassette.replayer().oneshot(request()?).await, // replayed once already
//!     Err(ReplayError::Exhausted { .. })
//! ));
//! # Ok(())
//! # }
//! ```
//!
//! The file is JSON, readable and editable:
//!
//! ```json
//! {
//!   "format": "openai-invites-cassette",
//!   "version": 1,
//!   "emails_masked": false,
//!   "exchanges": [
//!     {
//!       "request": {"method": "POST", "path": "/v1/organization/invites",
//!                   "headers": {"content-type": "application/json"},
//!                   "json": {"email": "ana@example.com", "role": "reader"}},
//!       "response": {"status": 200, "headers": {"x-request-id": "req_…"},
//!                    "json": {"object": "organization.invite", "id": "invite-…"}}
//!     },
//!     {"request": {"method": "GET", "path": "/v1/organization/invites/invite-x"},
//!      "error": "connection closed before message completed"}
//!   ]
//! }
//! ```

mod record;
mod replay;
mod scrub;
mod tape;

pub use record::{RecordFuture, RecordLayer, Recorder};
pub use replay::{ReplayError, Replayer};

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::fake::lock;
use tape::{Exchange, FORMAT, Tape, VERSION};

/// Why a cassette could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// The file could not be read or written.
    #[error("cassette `{path}`: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The text is not a cassette this version reads.
    #[error("not a cassette: {0}")]
    Format(String),
}

/// Recorded exchanges, shared: clones are handles on the same recording (cheap to clone).
#[derive(Clone, Default)]
pub struct Cassette {
    tape: Arc<Mutex<Tape>>,
}

impl Cassette {
    /// An empty cassette, to record onto.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a cassette's JSON.
    pub fn from_json(text: &str) -> Result<Self, CassetteError> {
        let mut tape: Tape =
            serde_json::from_str(text).map_err(|e| CassetteError::Format(e.to_string()))?;
        if tape.format != FORMAT || tape.version != VERSION {
            return Err(CassetteError::Format(format!(
                "format `{}` version {}; this crate reads `{FORMAT}` version {VERSION}",
                tape.format, tape.version
            )));
        }
        tape.replayed = vec![false; tape.exchanges.len()];
        Ok(Self {
            tape: Arc::new(Mutex::new(tape)),
        })
    }

    /// Reads a cassette file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CassetteError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
        Self::from_json(&text)
    }

    /// The cassette as pretty JSON.
    pub fn to_json(&self) -> String {
        // A tape of strings, numbers and JSON values always serialises.
        serde_json::to_string_pretty(&*lock(&self.tape)).unwrap_or_default()
    }

    /// Writes the cassette to `path` (through a temporary file, so a crash never leaves half a
    /// cassette).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CassetteError> {
        let path = path.as_ref();
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".partial");
        std::fs::write(&temporary, self.to_json() + "\n")
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| io_error(path, &e))
    }

    /// How many exchanges it holds.
    pub fn len(&self) -> usize {
        lock(&self.tape).exchanges.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many exchanges have not been replayed yet (0 once a test used all it recorded).
    pub fn unplayed(&self) -> usize {
        lock(&self.tape).replayed.iter().filter(|r| !**r).count()
    }

    /// Makes every exchange replayable again.
    pub fn rewind(&self) {
        lock(&self.tape)
            .replayed
            .iter_mut()
            .for_each(|r| *r = false);
    }

    /// A transport that answers from this cassette.
    pub fn replayer(&self) -> Replayer {
        Replayer::new(self.clone())
    }

    fn push(&self, exchange: Exchange, emails_masked: bool) {
        let mut tape = lock(&self.tape);
        tape.emails_masked |= emails_masked;
        tape.exchanges.push(exchange);
        tape.replayed.push(false);
    }
}

fn io_error(path: &Path, error: &std::io::Error) -> CassetteError {
    CassetteError::Io {
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

impl fmt::Debug for Cassette {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tape = lock(&self.tape);
        f.debug_struct("Cassette")
            .field("exchanges", &tape.exchanges.len())
            .field("emails_masked", &tape.emails_masked)
            .finish_non_exhaustive()
    }
}
