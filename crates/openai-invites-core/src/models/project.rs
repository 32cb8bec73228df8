//! `InviteProject`: one project membership, on the wire and as people write it
//! (`proj_a`, `proj_a:owner`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ProjectRole;

/// One project membership granted by an invite (or requested by an
/// [`InviteRequest`](super::InviteRequest)).
///
/// As text (command lines, roster files) it is `ID` (a member) or `ID:ROLE` with `member` or
/// `owner`, in any case; it displays as `ID:role`, which reads back the same.
///
/// ```
/// use openai_invites_core::{InviteProject, ProjectRole};
///
/// let member: InviteProject = "proj_a".parse()?;
/// assert_eq!(member, InviteProject::new("proj_a", ProjectRole::Member));
/// let owner: InviteProject = "proj_b:Owner".parse()?;
/// assert_eq!(owner.role, ProjectRole::Owner);
/// assert_eq!(owner.to_string(), "proj_b:owner");
/// assert!("proj_c:admin".parse::<InviteProject>().is_err());
/// # Ok::<(), openai_invites_core::ParseProjectError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InviteProject {
    /// The project's public id, e.g. `project-xyz`.
    pub id: String,
    /// The role in that project.
    pub role: ProjectRole,
}

impl InviteProject {
    /// A membership of project `id` with `role`.
    pub fn new(id: impl Into<String>, role: ProjectRole) -> Self {
        Self {
            id: id.into(),
            role,
        }
    }
}

/// Why a text is not a project membership (`ID`, `ID:member` or `ID:owner`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseProjectError {
    /// The id is empty or holds whitespace.
    #[error("`{0}` has no usable project id: write ID, ID:member or ID:owner")]
    Id(String),
    /// The role is neither `member` nor `owner`.
    #[error("`{0}`: the project role is not member or owner")]
    Role(String),
}

impl FromStr for InviteProject {
    type Err = ParseProjectError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (id, role) = text.split_once(':').unwrap_or((text, "member"));
        if id.is_empty() || id.contains(char::is_whitespace) {
            return Err(ParseProjectError::Id(text.to_owned()));
        }
        let role = match role.to_ascii_lowercase().as_str() {
            "member" => ProjectRole::Member,
            "owner" => ProjectRole::Owner,
            _ => return Err(ParseProjectError::Role(text.to_owned())),
        };
        Ok(Self::new(id, role))
    }
}

impl fmt::Display for InviteProject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.id, self.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form() {
        let parse = |text: &str| text.parse::<InviteProject>();
        assert_eq!(
            parse("p1:member"),
            Ok(InviteProject::new("p1", ProjectRole::Member))
        );
        assert_eq!(
            parse("p1:OWNER"),
            Ok(InviteProject::new("p1", ProjectRole::Owner))
        );
        for bad in ["", ":owner", "a b", " p1"] {
            assert_eq!(parse(bad), Err(ParseProjectError::Id(bad.to_owned())));
        }
        for bad in ["p1:admin", "a:b:c", "p1:"] {
            assert_eq!(parse(bad), Err(ParseProjectError::Role(bad.to_owned())));
        }
    }

    #[test]
    fn display_reads_back() {
        for project in [
            InviteProject::new("proj_a", ProjectRole::Member),
            InviteProject::new("proj_b", ProjectRole::Owner),
        ] {
            assert_eq!(project.to_string().parse::<InviteProject>(), Ok(project));
        }
    }
}
