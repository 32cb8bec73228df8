//! The CSV roster: a header `email,role,projects`, then one person a line.
//!
//! `projects` is empty for the default project, `-` for none, else space-separated
//! `ID[:member|owner]` (a bare `ID` is `member`). Roles are read whatever their case; fields
//! are trimmed; lines starting with `#` are comments; the `projects` column may be left out.

use openai_invites_core::{InviteProject, InviteRequest, InviteRole};

use super::check::Candidate;
use super::error::{Problem, ProblemKind};

/// The columns, in the order the header names them.
struct Columns {
    email: usize,
    role: usize,
    projects: Option<usize>,
    count: usize,
}

/// Reads every row of `text`; problems are collected, not returned early.
pub(crate) fn read(text: &str) -> (Vec<Candidate>, Vec<Problem>) {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let columns = match reader.headers() {
        Ok(header) => match columns(header) {
            Ok(columns) => columns,
            Err(why) => return (Vec::new(), vec![header_problem(header, why)]),
        },
        Err(e) => return (Vec::new(), vec![unreadable(1, &e)]),
    };
    let mut candidates = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                candidates.extend(row(&record, &columns, line, &mut problems));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(unreadable(line, &e));
            }
        }
    }
    (candidates, problems)
}

fn header_problem(header: &csv::StringRecord, why: String) -> Problem {
    let line = header.position().map_or(1, |p| p.line() as usize);
    Problem {
        line,
        kind: ProblemKind::Header(why),
    }
}

fn unreadable(line: usize, error: &csv::Error) -> Problem {
    Problem {
        line,
        kind: ProblemKind::Unreadable(error.to_string()),
    }
}

fn columns(header: &csv::StringRecord) -> Result<Columns, String> {
    let (mut email, mut role, mut projects) = (None, None, None);
    for (at, name) in header.iter().enumerate() {
        let slot = match name.to_ascii_lowercase().as_str() {
            "email" => &mut email,
            "role" => &mut role,
            "projects" => &mut projects,
            other => {
                return Err(format!(
                    "unknown column `{other}` (expected email,role,projects)"
                ));
            }
        };
        if slot.replace(at).is_some() {
            return Err(format!("column `{name}` appears twice"));
        }
    }
    match (email, role) {
        (Some(email), Some(role)) => Ok(Columns {
            email,
            role,
            projects,
            count: header.len(),
        }),
        _ => Err("expected the columns email,role,projects".to_owned()),
    }
}

/// One record as a candidate at `line`, with what is wrong in it added to `problems`.
fn row(
    record: &csv::StringRecord,
    columns: &Columns,
    line: usize,
    problems: &mut Vec<Problem>,
) -> Option<Candidate> {
    let mut problem = |kind| problems.push(Problem { line, kind });
    if record.len() > columns.count {
        problem(ProblemKind::Unreadable(format!(
            "{} fields where the header has {}",
            record.len(),
            columns.count
        )));
        return None;
    }
    let field = |at: usize| record.get(at).unwrap_or("");
    let (email, role) = (field(columns.email), field(columns.role));
    if email.is_empty() || role.is_empty() {
        problem(ProblemKind::Unreadable(
            "the email or the role is empty".to_owned(),
        ));
        return None;
    }
    let mut request = InviteRequest::new(email, InviteRole::from(role.to_ascii_lowercase()));
    let broken = match projects(columns.projects.map_or("", field)) {
        Ok(projects) => {
            request.projects = projects;
            false
        }
        Err(why) => {
            problem(ProblemKind::MalformedProject(why));
            true
        }
    };
    Some(Candidate {
        line,
        request,
        broken,
    })
}

/// The `projects` field: empty is the default project (`None`), `-` is none, else
/// space-separated `ID[:member|owner]`.
fn projects(field: &str) -> Result<Option<Vec<InviteProject>>, String> {
    match field {
        "" => return Ok(None),
        "-" => return Ok(Some(Vec::new())),
        _ => {}
    }
    field
        .split_whitespace()
        .map(|token| match token {
            // `-` alone means no project: among others it is a mistake, not an id.
            "-" => Err(format!("`{token}`: no project id")),
            _ => token.parse::<InviteProject>().map_err(|e| e.to_string()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use openai_invites_core::ProjectRole;

    use super::*;

    #[test]
    fn the_three_project_forms() {
        assert_eq!(projects(""), Ok(None));
        assert_eq!(projects("-"), Ok(Some(vec![])));
        assert_eq!(
            projects("a b:OWNER c:member"),
            Ok(Some(vec![
                InviteProject::new("a", ProjectRole::Member),
                InviteProject::new("b", ProjectRole::Owner),
                InviteProject::new("c", ProjectRole::Member),
            ]))
        );
        for bad in [":owner", "a:admin", "a:b:c", "a - b"] {
            assert!(projects(bad).is_err(), "{bad}");
        }
    }
}
