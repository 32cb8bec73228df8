//! The journal's writer: one thread that owns the file and commits in groups. Every append
//! waiting when it wakes is written with one `write` and made durable with one `fsync`, off
//! the async runtime (whose timers and Ctrl-C would otherwise stall during each `fsync`);
//! each append is answered once its record is durable. After a failed write the writer is
//! poisoned: every later append fails, so that no record can follow a torn one.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc;

use tokio::sync::oneshot;

/// Where the writer writes: a file (`sync_data`), or in tests one that fails on cue.
pub(crate) trait Sink: Write + Send + 'static {
    /// Makes what was written durable.
    fn sync(&mut self) -> io::Result<()>;
}

impl Sink for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// One record's line, and where to say when it is durable.
struct Pending {
    line: Vec<u8>,
    done: oneshot::Sender<io::Result<()>>,
}

/// The handle appends go through; the thread ends when it is dropped (after writing what
/// was sent).
#[derive(Debug)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Pending>,
}

impl Writer {
    /// Starts the writer's thread on `sink`.
    pub(crate) fn start(sink: impl Sink) -> io::Result<Self> {
        let (queue, pending) = mpsc::channel();
        std::thread::Builder::new()
            .name("journal-writer".to_owned())
            .spawn(move || commit_in_groups(sink, &pending))?;
        Ok(Self { queue })
    }

    /// Writes `line` (one record and its newline); resolves once it is durable.
    pub(crate) async fn write(&self, line: Vec<u8>) -> io::Result<()> {
        let gone = || io::Error::other("the journal's writer has stopped");
        let (done, durable) = oneshot::channel();
        self.queue
            .send(Pending { line, done })
            .map_err(|_| gone())?;
        durable.await.map_err(|_| gone())?
    }
}

/// The thread: waits for a record, takes every other one waiting, writes them all and syncs
/// once, answers each; stops at the first failure (see [`Poison`]).
fn commit_in_groups(mut sink: impl Sink, pending: &mpsc::Receiver<Pending>) {
    let mut poison: Option<Poison> = None;
    while let Ok(first) = pending.recv() {
        let group: Vec<Pending> = std::iter::once(first).chain(pending.try_iter()).collect();
        let result = match &poison {
            Some(poison) => Err(poison.clone()),
            None => commit(&mut sink, &group).map_err(|e| {
                let first = Poison::from(&e);
                poison = Some(first.clone());
                first
            }),
        };
        for Pending { done, .. } in group {
            // A caller that stopped waiting (a run stopped at once) needs no answer.
            let _ = done.send(result.clone().map_err(Poison::into_error));
        }
    }
}

fn commit(sink: &mut impl Sink, group: &[Pending]) -> io::Result<()> {
    let bytes: Vec<u8> = group.iter().flat_map(|p| p.line.iter().copied()).collect();
    sink.write_all(&bytes)?;
    sink.flush()?;
    sink.sync()
}

/// The first failure, which every later append reports too: a write that failed may have
/// left part of a line, and a record written after it would sit behind a torn line, where
/// opening the journal refuses it as corrupt instead of dropping it.
#[derive(Debug, Clone)]
struct Poison {
    kind: io::ErrorKind,
    why: String,
}

impl From<&io::Error> for Poison {
    fn from(error: &io::Error) -> Self {
        Self {
            kind: error.kind(),
            why: error.to_string(),
        }
    }
}

impl Poison {
    fn into_error(self) -> io::Error {
        io::Error::new(self.kind, self.why)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Waker};

    use super::*;

    /// A sink that keeps what it is given; its `fail_at`th write (from 0) writes only half
    /// its bytes and fails; with a `gate`, its first write waits until the gate is opened.
    #[derive(Clone, Default)]
    struct Flaky {
        bytes: Arc<Mutex<Vec<u8>>>,
        writes: Arc<Mutex<usize>>,
        fail_at: Option<usize>,
        gate: Arc<Mutex<Option<mpsc::Receiver<()>>>>,
    }

    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if let Some(gate) = self.gate.lock().unwrap().take() {
                gate.recv().unwrap();
            }
            let mut writes = self.writes.lock().unwrap();
            *writes += 1;
            if Some(*writes - 1) == self.fail_at {
                self.bytes.lock().unwrap().extend(&buf[..buf.len() / 2]);
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
            }
            self.bytes.lock().unwrap().extend(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink for Flaky {
        fn sync(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn text(sink: &Flaky) -> String {
        String::from_utf8(sink.bytes.lock().unwrap().clone()).unwrap()
    }

    #[tokio::test]
    async fn after_a_failed_write_every_later_append_fails_and_nothing_follows_the_tear() {
        let sink = Flaky {
            fail_at: Some(1),
            ..Flaky::default()
        };
        let writer = Writer::start(sink.clone()).unwrap();
        writer.write(b"{\"a\":1}\n".to_vec()).await.unwrap();
        let failed = writer.write(b"{\"b\":2}\n".to_vec()).await.unwrap_err();
        assert_eq!(failed.kind(), io::ErrorKind::StorageFull);
        // The sink would take this one: the journal refuses it.
        let later = writer.write(b"{\"c\":3}\n".to_vec()).await.unwrap_err();
        assert_eq!(later.to_string(), "disk full");
        assert_eq!(*sink.writes.lock().unwrap(), 2);
        assert_eq!(text(&sink), "{\"a\":1}\n{\"b\"");
    }

    #[tokio::test]
    async fn appends_waiting_together_are_committed_together() {
        let (open, gate) = mpsc::channel();
        let sink = Flaky {
            gate: Arc::new(Mutex::new(Some(gate))),
            ..Flaky::default()
        };
        let writer = Writer::start(sink.clone()).unwrap();
        let mut appends: Vec<Pin<Box<_>>> = (0..50)
            .map(|n| Box::pin(writer.write(format!("{n}\n").into_bytes())))
            .collect();
        // Each append is queued when first polled; the first write holds the writer meanwhile.
        let mut context = Context::from_waker(Waker::noop());
        for append in &mut appends {
            assert!(append.as_mut().poll(&mut context).is_pending());
        }
        open.send(()).unwrap();
        for append in appends {
            append.await.unwrap();
        }
        let writes = *sink.writes.lock().unwrap();
        assert!(writes <= 2, "{writes} writes for 50 records");
        let expected: String = (0..50).map(|n| format!("{n}\n")).collect();
        assert_eq!(text(&sink), expected);
    }
}
