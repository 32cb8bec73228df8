//! The board: every row's result as the run goes, and the progress callback fed from it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::outcome::{Outcome, Progress, RowResult};
use crate::plan::Action;

/// A callback told of the run's progress after each row that had changes ends.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

#[derive(Debug, Clone)]
enum Slot {
    Waiting,
    Started,
    Finished(RowResult),
}

/// The results so far; shared by the row tasks.
pub(crate) struct Board {
    inner: Mutex<Inner>,
    progress: Option<ProgressFn>,
}

struct Inner {
    slots: Vec<Slot>,
    /// Rows of the plan, for the fields of their results.
    heads: Vec<(String, Option<usize>, crate::plan::ActionKind)>,
    progress: Progress,
}

/// How a row ended, before it is a [`RowResult`].
#[derive(Debug, Clone)]
pub(crate) struct Ending {
    pub(crate) outcome: Outcome,
    pub(crate) invite_id: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) message: Option<String>,
}

impl Ending {
    /// Ended with `outcome` and the invite it left.
    pub(crate) fn new(outcome: Outcome, invite_id: Option<String>) -> Self {
        Self {
            outcome,
            invite_id,
            request_id: None,
            message: None,
        }
    }

    /// Failed, or unknown, for `why`.
    pub(crate) fn not_done(outcome: Outcome, why: String) -> Self {
        Self::new(outcome, None).message(Some(why))
    }

    pub(crate) fn request(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    pub(crate) fn message(mut self, message: Option<String>) -> Self {
        self.message = message;
        self
    }
}

impl Board {
    pub(crate) fn new(actions: &[Action], progress: Option<ProgressFn>) -> Self {
        let heads = actions
            .iter()
            .map(|a| (a.email.clone(), a.line, a.kind))
            .collect();
        Self {
            inner: Mutex::new(Inner {
                slots: vec![Slot::Waiting; actions.len()],
                heads,
                progress: Progress::default(),
            }),
            progress,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The board holds plain values: a panicking row task cannot leave it half-updated.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts `n` more rows with changes to make.
    pub(crate) fn add_to_total(&self, n: usize) {
        let progress = {
            let mut inner = self.lock();
            inner.progress.total += n;
            inner.progress
        };
        self.tell(progress);
    }

    pub(crate) fn start(&self, index: usize) {
        self.lock().slots[index] = Slot::Started;
    }

    /// Ends row `index`; `counted`: it is one of the rows with changes (progress moves).
    pub(crate) fn finish(&self, index: usize, ending: Ending, counted: bool) -> RowResult {
        let (result, progress) = {
            let mut inner = self.lock();
            let (email, line, action) = inner.heads[index].clone();
            let result = RowResult {
                email,
                line,
                action,
                outcome: ending.outcome,
                invite_id: ending.invite_id,
                request_id: ending.request_id,
                message: ending.message,
            };
            inner.slots[index] = Slot::Finished(result.clone());
            if counted {
                let p = &mut inner.progress;
                p.done += 1;
                p.failed += usize::from(result.outcome == Outcome::Failed);
                p.unknown += usize::from(result.outcome == Outcome::Unknown);
            }
            (result, counted.then_some(inner.progress))
        };
        if let Some(progress) = progress {
            self.tell(progress);
        }
        result
    }

    fn tell(&self, progress: Progress) {
        if let Some(callback) = &self.progress {
            callback(progress);
        }
    }

    /// Every row's result: rows in flight when the run stopped are unknown, rows never
    /// started skipped.
    pub(crate) fn results(&self) -> Vec<RowResult> {
        let inner = self.lock();
        inner
            .slots
            .iter()
            .zip(&inner.heads)
            .map(|(slot, (email, line, action))| match slot {
                Slot::Finished(result) => result.clone(),
                other => RowResult {
                    email: email.clone(),
                    line: *line,
                    action: *action,
                    outcome: if matches!(other, Slot::Started) {
                        Outcome::Unknown
                    } else {
                        Outcome::Skipped
                    },
                    invite_id: None,
                    request_id: None,
                    message: Some(if matches!(other, Slot::Started) {
                        "stopped while its request was in flight".to_owned()
                    } else {
                        "not started: the run was stopped".to_owned()
                    }),
                },
            })
            .collect()
    }
}
