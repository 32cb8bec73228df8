//! `ControlError`: what is wrong with a seed, a fault in JSON, a quota or a control request.

use http::StatusCode;

/// Input the fake cannot use: a seed, a fault written as JSON, a quota, a control request.
///
/// The control API answers it as an error envelope (`type` `fake_control_error`) with the
/// status [`status`](Self::status) names; the binary prints it and exits with code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// Not JSON, or JSON of the wrong shape (an unknown field, a string where a number
    /// belongs); serde's message says where.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// A value outside what the field allows.
    #[error("invalid `{field}`: {message}")]
    Invalid {
        /// The field, e.g. `invites[2].email` or `kind`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A seeded invite names an id that is already taken.
    #[error("an invite with id `{0}` already exists")]
    DuplicateId(String),
    /// No invite has this id.
    #[error("no invite with id `{0}`")]
    UnknownInvite(String),
    /// A seed file could not be read.
    #[error("could not read `{path}`: {message}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's reason.
        message: String,
    },
}

impl ControlError {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn json(error: &serde_json::Error) -> Self {
        Self::Json(error.to_string())
    }

    /// Prefixes the field with where it sits, e.g. `invites[2].`.
    pub(crate) fn within(self, place: &str) -> Self {
        match self {
            Self::Invalid { field, message } => Self::Invalid {
                field: format!("{place}.{field}"),
                message,
            },
            Self::Json(message) => Self::Json(format!("{place}: {message}")),
            other => other,
        }
    }

    /// The status the control API answers with: 400, 404 or 409.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::DuplicateId(_) => StatusCode::CONFLICT,
            Self::UnknownInvite(_) => StatusCode::NOT_FOUND,
            Self::Json(_) | Self::Invalid { .. } | Self::Read { .. } => StatusCode::BAD_REQUEST,
        }
    }
}
