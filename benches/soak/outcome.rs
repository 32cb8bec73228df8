//! What one call of the soak reported.

use openai_invites::{Error, Invite};

/// What a call returned, kept for the check against the store.
pub enum Outcome {
    /// A create: the invite id it returned, the one already pending, or its error.
    Create(Result<String, Error>),
    /// Another operation, and its error if it failed.
    Other(&'static str, Option<Error>),
}

impl Outcome {
    pub fn create(result: Result<Invite, Error>) -> Self {
        Self::Create(result.map(|invite| invite.id))
    }

    pub fn other(operation: &'static str, error: Option<Error>) -> Self {
        Self::Other(operation, error)
    }

    pub fn operation(&self) -> &'static str {
        match self {
            Self::Create(_) => "inviteUser",
            Self::Other(operation, _) => operation,
        }
    }

    pub fn unknown(&self) -> bool {
        match self {
            Self::Create(Err(e)) | Self::Other(_, Some(e)) => e.is_outcome_unknown(),
            _ => false,
        }
    }
}

/// Why an unknown outcome stayed unknown, in a few words: what reconciliation found and why it
/// could not tell, or why the call was not retried (ids and numbers left out, so that equal
/// reasons count together).
pub fn reason(error: &Error) -> String {
    const MARK: &str = "reading the invites could not tell: ";
    let text = error.to_string();
    let why = match text.find(MARK) {
        Some(at) => {
            let rest = &text[at + MARK.len()..];
            rest.split("; the outcome")
                .next()
                .unwrap_or(rest)
                .to_owned()
        }
        None => match text.find("not retried: ") {
            Some(at) => text[at..].to_owned(),
            None => "(no reading failed)".to_owned(),
        },
    };
    let why: String = why
        .split_whitespace()
        .map(|word| {
            if word.starts_with("req_") || word.chars().any(|c| c.is_ascii_digit()) {
                "#"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{:?} after {:?}, {} attempts: {why}",
        error.reconciled(),
        error.kind(),
        error.attempts()
    )
}
