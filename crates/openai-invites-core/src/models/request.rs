//! `InviteRequest`: the body of `POST /organization/invites`.

use serde::{Deserialize, Serialize};

use super::{InviteProject, InviteRole, ProjectRole};

/// Whom to invite, with which role, into which projects.
///
/// `projects` has three meanings on the wire and they stay distinct:
/// `None` omits the field (the person joins the default project), `Some(vec![])` sends `[]`
/// (no project at all), `Some(list)` sends exactly those projects.
///
/// ```
/// use openai_invites_core::{InviteRequest, InviteRole, ProjectRole};
///
/// let default_project = InviteRequest::new("ana@example.com", InviteRole::Reader);
/// assert_eq!(default_project.projects, None);
///
/// let nowhere = InviteRequest::new("bo@example.com", InviteRole::Reader).without_projects();
/// assert_eq!(nowhere.projects, Some(vec![]));
///
/// let one = InviteRequest::new("cy@example.com", InviteRole::Owner)
///     .with_project("project-xyz", ProjectRole::Member);
/// assert_eq!(one.projects.unwrap().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    /// The address to send the invitation to.
    pub email: String,
    /// The organization role to grant.
    pub role: InviteRole,
    /// Project memberships; see the type's docs for the three meanings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<Vec<InviteProject>>,
}

impl InviteRequest {
    /// Invites `email` with `role` into the default project.
    pub fn new(email: impl Into<String>, role: InviteRole) -> Self {
        Self {
            email: email.into(),
            role,
            projects: None,
        }
    }

    /// Adds one project membership (turning "default project" into "exactly these").
    pub fn with_project(mut self, id: impl Into<String>, role: ProjectRole) -> Self {
        self.projects
            .get_or_insert_with(Vec::new)
            .push(InviteProject::new(id, role));
        self
    }

    /// Grants exactly these projects (an empty list means none).
    pub fn with_projects(mut self, projects: impl IntoIterator<Item = InviteProject>) -> Self {
        self.projects = Some(projects.into_iter().collect());
        self
    }

    /// Grants no project at all, not even the default one (sends `"projects": []`).
    pub fn without_projects(mut self) -> Self {
        self.projects = Some(Vec::new());
        self
    }

    /// Leaves project membership to the service's default project (omits `projects`).
    pub fn default_project(mut self) -> Self {
        self.projects = None;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_project_states_stay_distinct() {
        let base = InviteRequest::new("a@b.c", InviteRole::Reader);
        assert_eq!(
            serde_json::to_string(&base).unwrap(),
            r#"{"email":"a@b.c","role":"reader"}"#
        );
        assert_eq!(
            serde_json::to_string(&base.clone().without_projects()).unwrap(),
            r#"{"email":"a@b.c","role":"reader","projects":[]}"#
        );
        assert_eq!(
            serde_json::to_string(&base.with_project("p", ProjectRole::Owner)).unwrap(),
            r#"{"email":"a@b.c","role":"reader","projects":[{"id":"p","role":"owner"}]}"#
        );
    }

    #[test]
    fn empty_and_absent_decode_differently() {
        let absent: InviteRequest =
            serde_json::from_str(r#"{"email":"e","role":"owner"}"#).unwrap();
        let empty: InviteRequest =
            serde_json::from_str(r#"{"email":"e","role":"owner","projects":[]}"#).unwrap();
        assert_eq!(absent.projects, None);
        assert_eq!(empty.projects, Some(vec![]));
    }
}
