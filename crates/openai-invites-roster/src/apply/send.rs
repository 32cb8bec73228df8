//! Sending one row's changes, each between its intent and its record in the journal.

use std::sync::Arc;

use openai_invites::http::StatusCode;
use openai_invites::{Client, Error};
use openai_invites_core::InviteRequest;

use super::resolve::{Change, Job};
use crate::journal::{Journal, JournalError, Record, Step, StepResult, now_ms};

/// How a row's changes went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sent {
    /// All took effect; the invite created (or, for a revocation, deleted).
    Done {
        invite_id: Option<String>,
        request_id: Option<String>,
    },
    /// One failed and the service did not act on it.
    Failed {
        message: String,
        request_id: Option<String>,
    },
    /// Whether one took effect is not known: settle by reading.
    Unsettled {
        message: String,
        request_id: Option<String>,
    },
}

/// What sending needs: the client and the journal, if any. Creates are sent
/// [`without_reconciliation`](openai_invites::Call::without_reconciliation), so that an
/// ambiguous one comes back here to be settled with the others by one read.
#[derive(Clone)]
pub(crate) struct Sender {
    pub(crate) client: Client,
    pub(crate) journal: Option<Arc<Journal>>,
}

impl Sender {
    /// Sends `changes` for `job`, in order, stopping at the first that does not take effect.
    pub(crate) async fn send(&self, job: &Job, changes: Vec<Change>) -> Result<Sent, JournalError> {
        let mut last = Sent::Done {
            invite_id: None,
            request_id: None,
        };
        for change in changes {
            let (step, request, invite_id) = match &change {
                Change::Delete(id) => (Step::Delete, None, Some(id.clone())),
                Change::Create(request) => (Step::Create, Some(request.clone()), None),
            };
            self.record(Record::Intent {
                at_ms: now_ms(),
                email: job.email.clone(),
                action: job.label,
                step,
                request,
                invite_id,
            })
            .await?;
            let sent = match change {
                Change::Delete(id) => self.delete(id).await,
                Change::Create(request) => self.create(request).await,
            };
            self.record(record(job, step, &sent)).await?;
            last = match sent {
                done @ Sent::Done { .. } => done,
                other => return Ok(other),
            };
        }
        Ok(last)
    }

    async fn delete(&self, id: String) -> Sent {
        match self.client.delete_invite(id.clone()).with_info().await {
            Ok((_, info)) => Sent::Done {
                invite_id: Some(id),
                request_id: info.request_id().map(str::to_owned),
            },
            // Gone already: what a deletion wants.
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Sent::Done {
                invite_id: Some(id),
                request_id: e.request_id().map(str::to_owned),
            },
            Err(e) => failure(&e, e.is_outcome_unknown()),
        }
    }

    async fn create(&self, request: InviteRequest) -> Sent {
        let call = self.client.invite_user(request).without_reconciliation();
        match call.with_info().await {
            Ok((invite, info)) => Sent::Done {
                invite_id: Some(invite.id),
                request_id: info.request_id().map(str::to_owned),
            },
            // Ambiguous, or refused because a pending invite exists (made by this create's
            // earlier attempt, or by someone else): the settling read tells which.
            Err(e) => {
                // (Sent without reconciliation: the client itself never finds one here.)
                let duplicate = e.status() == Some(StatusCode::CONFLICT);
                failure(&e, e.is_outcome_unknown() || duplicate)
            }
        }
    }

    /// Appends to the journal, if there is one; resolves once the record is durable.
    pub(crate) async fn record(&self, record: Record) -> Result<(), JournalError> {
        match &self.journal {
            Some(journal) => journal.append(&record).await,
            None => Ok(()),
        }
    }
}

fn failure(e: &Error, unsettled: bool) -> Sent {
    let message = e.to_string();
    let request_id = e.request_id().map(str::to_owned);
    if unsettled {
        Sent::Unsettled {
            message,
            request_id,
        }
    } else {
        Sent::Failed {
            message,
            request_id,
        }
    }
}

/// The journal's record of what one request did.
fn record(job: &Job, step: Step, sent: &Sent) -> Record {
    let (result, invite_id, request_id, message) = match sent {
        Sent::Done {
            invite_id,
            request_id,
        } => (StepResult::Done, invite_id, request_id, None),
        Sent::Failed {
            message,
            request_id,
        } => (StepResult::Failed, &None, request_id, Some(message)),
        Sent::Unsettled {
            message,
            request_id,
        } => (StepResult::Unknown, &None, request_id, Some(message)),
    };
    Record::Sent {
        at_ms: now_ms(),
        email: job.email.clone(),
        step,
        result,
        invite_id: invite_id.clone(),
        request_id: request_id.clone(),
        message: message.cloned(),
    }
}
