//! `Display` and `Debug` of [`Error`]: one line for logs, scrubbed of secrets.

use std::fmt;

use http::StatusCode;

use super::Error;
use crate::failure::{ErrorKind, Failure};
use crate::layer::reconcile::Reconciled;
use crate::scrub::ADMIN_KEY_PREFIX;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.secrets {
            Some(secrets) => secrets.write(f, &|f| self.write_line(f)),
            None => self.write_line(f),
        }
    }
}

impl Error {
    /// `operation: what happened: causes; facts`, unscrubbed.
    fn write_line(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "{}: ", i.operation)?;
        let lead = match i.kind {
            ErrorKind::Encode => Some("invalid request"),
            ErrorKind::Decode => Some("could not decode the response"),
            ErrorKind::RepeatedCursor => Some("pagination stopped"),
            ErrorKind::Middleware => Some("a layer failed"),
            ErrorKind::Api if i.api.is_none() => Some("the service answered with an error"),
            // The error itself says what happened.
            _ => None,
        };
        if let Some(lead) = lead {
            f.write_str(lead)?;
        }
        let service_words = i
            .api
            .as_ref()
            .filter(|_| i.kind != ErrorKind::AlreadyInvited);
        if let Some(api) = service_words {
            // The service's own words, with its request id.
            write!(f, "{api}")?;
        } else if let Some(source) = &i.source {
            if lead.is_some() {
                f.write_str(": ")?;
            }
            write_chain(f, source.as_ref())?;
        }
        if self.is_not_sent() {
            f.write_str("; nothing was sent")?;
        }
        if service_words.is_none() {
            if let Some(id) = &i.request_id {
                write!(f, " [request id {id}]")?;
            }
        }
        if let Some(hint) = i.retry_after {
            match i.kind {
                ErrorKind::RateLimited => write!(f, "; retry after {hint:?}")?,
                _ => write!(f, "; the service asked to wait {hint:?}")?,
            }
        }
        match i.attempts {
            0 => {}
            1 => f.write_str(" (1 attempt)")?,
            n => write!(f, " ({n} attempts)")?,
        }
        match (i.reconciled, &i.reconcile_failure) {
            (Some(Reconciled::NotCreated), _) if !self.is_outcome_unknown() => {
                f.write_str("; checked by reading the invites: it was not created")?
            }
            (Some(Reconciled::Failed), Some(why)) => {
                write!(f, "; reading the invites could not tell: {why}")?
            }
            _ => {}
        }
        if self.is_outcome_unknown() {
            f.write_str("; the outcome is unknown: the service may have acted on the request")?;
        }
        let blocked = match i.failure {
            Some(Failure::Blocked(why)) => Some(why),
            _ => None,
        };
        if let Some(reason) = i.stop_reason.or(blocked) {
            write!(f, "; not retried: {reason}")?;
        }
        if i.status == Some(StatusCode::UNAUTHORIZED)
            && i.secrets.as_ref().is_some_and(|s| !s.admin_shaped())
        {
            write!(
                f,
                "; hint: the key does not look like an admin key ({ADMIN_KEY_PREFIX}...): the \
                 invites API needs an organization admin key, not a project API key"
            )?;
        }
        Ok(())
    }
}

/// `error: cause: cause`, each once: a cause whose text its parent already quotes (as
/// `"...: {source}"` messages do) is not written again.
fn write_chain(
    f: &mut fmt::Formatter<'_>,
    error: &(dyn std::error::Error + 'static),
) -> fmt::Result {
    let mut previous = error.to_string();
    f.write_str(&previous)?;
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.is_empty() && !previous.contains(&text) {
            write!(f, ": {text}")?;
        }
        previous = text;
        next = cause.source();
    }
    Ok(())
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let debug = |f: &mut fmt::Formatter<'_>| {
            let i = &self.inner;
            f.debug_struct("Error")
                .field("kind", &i.kind)
                .field("operation", &i.operation)
                .field("attempts", &i.attempts)
                .field("status", &i.status)
                .field("request_id", &i.request_id)
                .field("api", &i.api)
                .field("retry_after", &i.retry_after)
                .field("reconciled", &i.reconciled)
                .field("reconcile_failure", &i.reconcile_failure)
                .field("outcome_unknown", &self.is_outcome_unknown())
                .field("stop_reason", &i.stop_reason)
                .field("invite", &i.invite.as_ref().map(|invite| &invite.id))
                .field("source", &i.source)
                .finish()
        };
        match &self.inner.secrets {
            Some(secrets) => secrets.write(f, &|f| debug(f)),
            None => debug(f),
        }
    }
}
