//! The engine: each row's changes with bounded concurrency, then the ambiguous ones settled
//! together by reading the invites again (and sent again when found not made).

use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use openai_invites_core::Invite;

use super::board::{Board, Ending, ProgressFn};
use super::resolve::{Change, Job, Resolution, again, resolve};
use super::send::{Sender, Sent};
use super::stop::StopSignal;
use crate::index::InviteIndex;
use crate::journal::{JournalError, JournalState, Journaled, Record, now_ms};
use crate::outcome::{ApplyReport, Outcome};
use crate::plan::{Action, PlanOptions};
use crate::snapshot::read_invites;

/// The settings of one run.
pub(crate) struct Engine {
    pub(crate) sender: Sender,
    pub(crate) concurrency: usize,
    pub(crate) settle_delay: Duration,
    pub(crate) settle_reads: u32,
    pub(crate) stop: StopSignal,
    pub(crate) progress: Option<ProgressFn>,
}

/// A row whose outcome a read must settle.
struct Unsettled {
    job: Job,
    message: String,
    request_id: Option<String>,
}

/// One run's state.
struct Run<'a> {
    engine: &'a Engine,
    options: PlanOptions,
    board: Board,
    /// The caller's signal, and the engine's own when the journal fails.
    stop: StopSignal,
    journal_error: Mutex<Option<String>>,
    unsettled: Mutex<Vec<Unsettled>>,
}

const SETTLED: &str = "settled by reading the invites";

impl Engine {
    /// Applies `actions` against `invites` (read just before), skipping and settling rows as
    /// the journal `state` says.
    pub(crate) async fn run(
        &self,
        actions: &[Action],
        options: PlanOptions,
        invites: &[Invite],
        state: &JournalState,
    ) -> ApplyReport {
        let run = Run {
            engine: self,
            options,
            board: Board::new(actions, self.progress.clone()),
            stop: self.stop.child(),
            journal_error: Mutex::new(None),
            unsettled: Mutex::new(Vec::new()),
        };
        let queue = run.prepare(actions, invites, state).await;
        run.board.add_to_total(queue.len());
        tokio::select! {
            () = run.send_all(queue) => {
                tokio::select! {
                    () = run.settle() => {}
                    () = run.stop.stopping_now() => {}
                }
            }
            () = run.stop.stopping_now() => {}
        }
        // Rows still unsettled (stopped, or out of reads) stay unknown: the journal keeps
        // their intents, and the next run settles them.
        let left = std::mem::take(&mut *lock(&run.unsettled));
        if !self.stop.is_stopping_now() {
            let ended = left.into_iter().map(|u| {
                let ending = Ending::not_done(Outcome::Unknown, u.message);
                (u.job, ending.request(u.request_id), true)
            });
            run.end_all(ended.collect(), true).await;
        }
        ApplyReport {
            rows: run.board.results(),
            interrupted: self.stop.is_stopping(),
            journal_error: lock(&run.journal_error).take(),
            unplanned: Vec::new(),
        }
    }
}

impl Run<'_> {
    /// Ends the rows with nothing to send; the others, with what they need, to send.
    async fn prepare(
        &self,
        actions: &[Action],
        invites: &[Invite],
        state: &JournalState,
    ) -> Vec<(Job, Vec<Change>)> {
        let index = InviteIndex::new(invites);
        let mut queue = Vec::new();
        let mut ended = Vec::new();
        for (at, action) in actions.iter().enumerate() {
            let (job, resolution, note) = match state.of(action) {
                Journaled::Finished(done) => {
                    let ending = Ending::new(done.outcome, done.invite_id.clone())
                        .request(done.request_id.clone())
                        .message(Some("done in an earlier run (journal)".to_owned()));
                    self.board.finish(at, ending, false);
                    continue;
                }
                Journaled::Touched { action: label } => {
                    let job = Job::new(at, action, label);
                    let resolution = again(&job, &index, self.options);
                    (job, resolution, Some(SETTLED))
                }
                Journaled::Untouched => (
                    Job::new(at, action, action.kind),
                    resolve(action, action.kind),
                    None,
                ),
            };
            let journaled = note.is_some();
            let ending = match resolution {
                Resolution::Run(changes) => {
                    queue.push((job, changes));
                    continue;
                }
                Resolution::Done {
                    outcome,
                    invite_id,
                    message,
                } => Ending::new(outcome, invite_id).message(message.or(note.map(str::to_owned))),
                Resolution::Failed(why) => Ending::not_done(Outcome::Failed, why),
            };
            ended.push((job, ending, journaled));
        }
        self.end_all(ended, false).await;
        queue
    }

    /// Sends the queued rows, `concurrency` at a time, until done or stopped; each row's
    /// outcome is recorded in its own turn, so that the journal commits rows together.
    async fn send_all(&self, queue: Vec<(Job, Vec<Change>)>) {
        futures_util::stream::iter(queue)
            .take_until(self.stop.stopping())
            .map(|(job, changes)| async move {
                self.board.start(job.index);
                let sent = self.engine.sender.send(&job, changes).await;
                self.after(job, sent).await;
            })
            .buffer_unordered(self.engine.concurrency)
            .for_each(|()| std::future::ready(()))
            .await;
    }

    /// Settles the ambiguous rows by reading the invites, up to `settle_reads` times; a row
    /// found not done is sent again (and settled by the next read).
    async fn settle(&self) {
        for read in 1..=self.engine.settle_reads {
            let pending = std::mem::take(&mut *lock(&self.unsettled));
            if pending.is_empty() || self.stop.is_stopping() {
                *lock(&self.unsettled) = pending;
                return;
            }
            // Let the service's list catch up with its writes.
            tokio::time::sleep(self.engine.settle_delay).await;
            let invites = match read_invites(&self.engine.sender.client).await {
                Ok(invites) => invites,
                Err(e) => {
                    let why = format!("the invites could not be read to settle it: {e}");
                    let kept = pending.into_iter().map(|u| Unsettled {
                        message: why.clone(),
                        ..u
                    });
                    lock(&self.unsettled).extend(kept);
                    continue;
                }
            };
            let index = InviteIndex::new(&invites);
            let last = read == self.engine.settle_reads;
            let mut resend = Vec::new();
            let mut ended = Vec::new();
            for u in pending {
                let ending = match again(&u.job, &index, self.options) {
                    Resolution::Done {
                        outcome, invite_id, ..
                    } => Ending::new(outcome, invite_id).message(Some(SETTLED.into())),
                    Resolution::Failed(why) => Ending::not_done(Outcome::Failed, why),
                    Resolution::Run(changes) if !last => {
                        resend.push((u.job, changes));
                        continue;
                    }
                    Resolution::Run(_) => Ending::not_done(
                        Outcome::Failed,
                        format!(
                            "not done (the invites show it), not sent again: {}",
                            u.message
                        ),
                    ),
                };
                ended.push((u.job, ending.request(u.request_id), true));
            }
            self.end_all(ended, true).await;
            self.send_all(resend).await;
        }
    }

    /// Takes in how a row's requests went.
    async fn after(&self, job: Job, sent: Result<Sent, JournalError>) {
        let ending = match sent {
            Ok(Sent::Done {
                invite_id,
                request_id,
            }) => Ending::new(Outcome::planned(job.label), invite_id).request(request_id),
            Ok(Sent::Failed {
                message,
                request_id,
            }) => Ending::not_done(Outcome::Failed, message).request(request_id),
            Ok(Sent::Unsettled {
                message,
                request_id,
            }) => {
                lock(&self.unsettled).push(Unsettled {
                    job,
                    message,
                    request_id,
                });
                return;
            }
            // The journal no longer records: what the row did cannot be vouched for.
            Err(e) => {
                self.journal_failed(&e);
                let why = format!("the journal could not be written: {e}");
                self.board
                    .finish(job.index, Ending::not_done(Outcome::Unknown, why), true);
                return;
            }
        };
        self.end(&job, ending).await;
    }

    /// Ends a row that had requests sent: on the board and in the journal.
    async fn end(&self, job: &Job, ending: Ending) {
        self.end_with(job, ending, true, true).await;
    }

    /// Ends rows together (their journal records committed together), as
    /// [`end_with`](Self::end_with) with `counted`; each with whether it is `journaled`.
    async fn end_all(&self, ended: Vec<(Job, Ending, bool)>, counted: bool) {
        let ends = ended
            .into_iter()
            .map(|(job, ending, journaled)| async move {
                self.end_with(&job, ending, counted, journaled).await;
            });
        futures_util::future::join_all(ends).await;
    }

    /// Ends a row; `counted`: in the progress; `journaled`: with its outcome in the journal.
    async fn end_with(&self, job: &Job, ending: Ending, counted: bool, journaled: bool) {
        if journaled {
            let record = Record::Row {
                at_ms: now_ms(),
                email: job.email.clone(),
                action: job.label,
                request: job.request.clone(),
                outcome: ending.outcome,
                invite_id: ending.invite_id.clone().or_else(|| job.revoked.clone()),
                request_id: ending.request_id.clone(),
                message: ending.message.clone(),
            };
            if let Err(e) = self.engine.sender.record(record).await {
                self.journal_failed(&e);
            }
        }
        self.board.finish(job.index, ending, counted);
    }

    /// Stops starting rows: without a journal, nothing more may be sent.
    fn journal_failed(&self, e: &JournalError) {
        lock(&self.journal_error).get_or_insert_with(|| e.to_string());
        self.stop.stop_starting();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain values: a panicking row cannot leave them half-updated.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
