//! How an invite compares to the request that may have made it: the same person, the same
//! terms. Read by reconciliation and by `ensure_invited` alike.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Invite, InviteProject, InviteRequest, email};

impl InviteRequest {
    /// Whether `email` is this request's address as the service matches addresses: spaces
    /// around either aside, whatever the case (the rule of [`same_email`](crate::same_email)).
    ///
    /// ```
    /// use openai_invites_core::{InviteRequest, InviteRole};
    ///
    /// let request = InviteRequest::new("Ana@Example.com", InviteRole::Reader);
    /// assert!(request.is_for(" ana@example.COM"));
    /// assert!(!request.is_for("bo@example.com"));
    /// ```
    pub fn is_for(&self, email: &str) -> bool {
        email::same_email(&self.email, email)
    }
}

/// Where an invite differs from a request for the same email.
///
/// It serializes as `{"role": bool, "projects": bool}` (plans and reports keep it), and
/// displays as what differs: `role differs`, `projects differ`, `role and projects differ`,
/// or `same terms`.
///
/// ```
/// use openai_invites_core::{Invite, InviteRequest, InviteRole, Mismatch, ProjectRole};
///
/// # let json = r#"{"object":"organization.invite","id":"invite-1","email":"ana@example.com",
/// #   "role":"reader","status":"pending","created_at":1,"expires_at":2,"projects":[]}"#;
/// let invite: Invite = serde_json::from_str(json)?;
/// let asked = InviteRequest::new("ana@example.com", InviteRole::Owner)
///     .with_project("proj_1", ProjectRole::Member);
/// let mismatch = Mismatch::between(&asked, &invite);
/// assert!(mismatch.role && mismatch.projects);
/// let same = InviteRequest::new("ana@example.com", InviteRole::Reader);
/// assert!(!Mismatch::between(&same, &invite).any());
/// assert_eq!(mismatch.to_string(), "role and projects differ");
/// assert_eq!(serde_json::to_string(&mismatch)?, r#"{"role":true,"projects":true}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The organization role differs.
    pub role: bool,
    /// The request listed projects, and the invite's are not those (with those roles). A
    /// request that leaves `projects` out (the default project) is not compared.
    pub projects: bool,
}

impl Mismatch {
    /// How `invite` differs from `request`: its role, and its projects (in any order) when the
    /// request lists them.
    pub fn between(request: &InviteRequest, invite: &Invite) -> Self {
        let projects = request.projects.as_ref().is_some_and(|wanted| {
            let key = |p: &InviteProject| (p.id.clone(), p.role.as_str().to_owned());
            let mut wanted: Vec<_> = wanted.iter().map(key).collect();
            let mut have: Vec<_> = invite.projects.iter().map(key).collect();
            wanted.sort();
            have.sort();
            wanted != have
        });
        Self {
            role: request.role != invite.role,
            projects,
        }
    }

    /// Whether anything differs.
    pub fn any(&self) -> bool {
        self.role || self.projects
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match (self.role, self.projects) {
            (true, true) => "role and projects differ",
            (true, false) => "role differs",
            (false, true) => "projects differ",
            (false, false) => "same terms",
        })
    }
}
