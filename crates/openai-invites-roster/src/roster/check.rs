//! The checks every row passes before anything is sent, and the merge of repeated emails.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use openai_invites_core::{InviteRequest, InviteRole, ProjectRole};

use super::error::{Problem, ProblemKind};
use super::{Roster, RosterError, RosterRow};
use crate::email::{email_key, is_plausible};

/// A row as read, before the checks.
#[derive(Debug)]
pub(crate) struct Candidate {
    pub(crate) line: usize,
    pub(crate) request: InviteRequest,
    /// Part of the row could not be read (its problem is already reported): check the rest,
    /// but keep it out of the merge, where it could only raise false conflicts.
    pub(crate) broken: bool,
}

/// The terms two rows for one email must agree on: the role, and the projects as a set (or
/// the default project, `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Terms(String, Option<Vec<(String, String)>>);

impl Terms {
    pub(crate) fn of(request: &InviteRequest) -> Self {
        let projects = request.projects.as_ref().map(|projects| {
            let mut pairs: Vec<_> = projects
                .iter()
                .map(|p| (p.id.clone(), p.role.as_str().to_owned()))
                .collect();
            pairs.sort();
            pairs
        });
        Self(request.role.as_str().to_owned(), projects)
    }
}

/// Checks every candidate; a roster when no row (and no earlier read) has a problem.
pub(crate) fn roster(
    candidates: Vec<Candidate>,
    mut problems: Vec<Problem>,
) -> Result<Roster, RosterError> {
    let mut rows: Vec<RosterRow> = Vec::with_capacity(candidates.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for Candidate {
        line,
        mut request,
        broken,
    } in candidates
    {
        request.email = request.email.trim().to_owned();
        let found = row_problems(&request);
        if broken || !found.is_empty() {
            problems.extend(found.into_iter().map(|kind| Problem { line, kind }));
            continue;
        }
        match seen.entry(email_key(&request.email)) {
            Entry::Vacant(slot) => {
                slot.insert(rows.len());
                rows.push(RosterRow { line, request });
            }
            // The same terms twice: one row, the first.
            Entry::Occupied(at) if Terms::of(&rows[*at.get()].request) == Terms::of(&request) => {}
            Entry::Occupied(at) => problems.push(Problem {
                line,
                kind: ProblemKind::Conflict {
                    email: request.email,
                    first_line: rows[*at.get()].line,
                },
            }),
        }
    }
    if problems.is_empty() {
        Ok(Roster { rows })
    } else {
        problems.sort_by_key(|p| p.line);
        Err(RosterError::Invalid { problems })
    }
}

/// What is wrong with one row on its own.
fn row_problems(request: &InviteRequest) -> Vec<ProblemKind> {
    let mut found = Vec::new();
    if !is_plausible(&request.email) {
        found.push(ProblemKind::BadEmail(request.email.clone()));
    }
    if !matches!(request.role, InviteRole::Reader | InviteRole::Owner) {
        found.push(ProblemKind::UnknownRole(request.role.to_string()));
    }
    let mut ids: Vec<&str> = Vec::new();
    for project in request.projects.iter().flatten() {
        let id = project.id.as_str();
        if id.is_empty() || id.contains(char::is_whitespace) {
            found.push(ProblemKind::MalformedProject(format!(
                "project id `{id}` is empty or has spaces"
            )));
        } else if ids.contains(&id) {
            found.push(ProblemKind::MalformedProject(format!(
                "project `{id}` is listed twice"
            )));
        }
        if !matches!(project.role, ProjectRole::Member | ProjectRole::Owner) {
            found.push(ProblemKind::MalformedProject(format!(
                "`{id}` has role `{}` (expected member or owner)",
                project.role
            )));
        }
        ids.push(id);
    }
    found
}
