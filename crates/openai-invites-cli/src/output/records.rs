//! What is shown of an invite, decided once: the columns for scripts (exact, nothing left
//! out) and for people (relative times, colours).
//!
//! ```ignore
//! printer.emit(records::list(&invites, now))?; // every shape from one description
//! ```

use anstyle::{AnsiColor, Style};
use openai_invites::{Invite, InviteDeleteResponse, InviteProject, InviteStatus};

use super::table::Cell;
use super::time::{relative, rfc3339};
use super::{Json, TableView};

/// Records to print, in every shape: the API's objects for JSON, exact fields for CSV and
/// TSV, cells for a table.
#[derive(Debug)]
pub struct Records {
    pub json: Json,
    /// CSV and TSV header.
    pub fields: &'static [&'static str],
    /// CSV and TSV rows.
    pub values: Vec<Vec<String>>,
    pub table: TableView,
}

/// A list of invites (`list`).
pub fn list(invites: &[Invite], now: i64) -> Records {
    Records {
        json: Json::many(invites),
        fields: &FIELDS,
        values: invites.iter().map(|i| fields(i).to_vec()).collect(),
        table: TableView::Rows {
            columns: &COLUMNS,
            rows: invites.iter().map(|i| row(i, now)).collect(),
        },
    }
}

/// One invite (`get`, `invite`): an object in JSON, every field on a line in a table.
pub fn one(invite: &Invite, now: i64) -> Records {
    Records {
        json: Json::one(invite),
        fields: &FIELDS,
        values: vec![fields(invite).to_vec()],
        table: TableView::Details(details(invite, now)),
    }
}

/// Deleted invites (`delete`): the service's answers, with the email of each.
pub fn deleted(deleted: &[(Invite, InviteDeleteResponse)]) -> Records {
    let yes_no = |d: bool| if d { "true" } else { "false" }.to_owned();
    let answers: Vec<&InviteDeleteResponse> = deleted.iter().map(|(_, answer)| answer).collect();
    Records {
        json: Json::many(&answers),
        fields: &DELETED_FIELDS,
        values: deleted
            .iter()
            .map(|(invite, answer)| {
                vec![
                    clean(&answer.id),
                    clean(&invite.email),
                    yes_no(answer.deleted),
                ]
            })
            .collect(),
        table: TableView::Rows {
            columns: &DELETED_COLUMNS,
            rows: deleted
                .iter()
                .map(|(invite, answer)| {
                    vec![
                        Cell::plain(clean(&answer.id)),
                        Cell::plain(clean(&invite.email)),
                        Cell::plain(if answer.deleted { "yes" } else { "no" }),
                    ]
                })
                .collect(),
        },
    }
}

/// Text from the service made safe to print: a control character (a tab or newline that
/// would break a TSV row, an escape sequence that would drive the terminal) is written
/// escaped, e.g. `\u{1b}`.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_control() {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// The columns of CSV and TSV output (the API's field names).
pub const FIELDS: [&str; 8] = [
    "id",
    "email",
    "role",
    "status",
    "projects",
    "created_at",
    "expires_at",
    "accepted_at",
];

/// The columns of the table.
pub const COLUMNS: [&str; 7] = [
    "ID", "EMAIL", "ROLE", "STATUS", "PROJECTS", "CREATED", "EXPIRES",
];

/// The columns of the table of deleted invites, and of their CSV and TSV.
pub const DELETED_COLUMNS: [&str; 3] = ["ID", "EMAIL", "DELETED"];
pub const DELETED_FIELDS: [&str; 3] = ["id", "email", "deleted"];

/// `proj_a:member proj_b:owner`, as `invite --project` takes them; empty for none.
pub fn projects(projects: &[InviteProject]) -> String {
    let each: Vec<String> = projects.iter().map(|p| clean(&p.to_string())).collect();
    each.join(" ")
}

/// For CSV and TSV: exact RFC 3339 times, an empty field for a time the invite does not have.
pub fn fields(invite: &Invite) -> [String; 8] {
    let time = |t: Option<i64>| t.map(rfc3339).unwrap_or_default();
    [
        clean(&invite.id),
        clean(&invite.email),
        clean(invite.role.as_str()),
        clean(invite.status.as_str()),
        projects(&invite.projects),
        rfc3339(invite.created_at),
        time(invite.expires_at),
        time(invite.accepted_at),
    ]
}

/// How a status looks in a table.
pub fn status_style(status: &InviteStatus) -> Style {
    let color = match status {
        InviteStatus::Pending => AnsiColor::Yellow,
        InviteStatus::Accepted => AnsiColor::Green,
        InviteStatus::Expired => AnsiColor::Red,
        _ => return Style::new(),
    };
    Style::new().fg_color(Some(color.into()))
}

fn dim(text: impl Into<String>) -> Cell {
    Cell::styled(text, Style::new().dimmed())
}

fn projects_cell(invite: &Invite) -> Cell {
    match projects(&invite.projects) {
        none if none.is_empty() => dim("none"),
        text => Cell::plain(text),
    }
}

/// The expiry as people care about it: only while it can still matter.
fn expires_cell(invite: &Invite, now: i64) -> Cell {
    match (&invite.status, invite.expires_at) {
        (InviteStatus::Accepted, _) | (_, None) => dim("-"),
        (_, Some(at)) => Cell::plain(relative(now, at)),
    }
}

/// One row of the table, [`COLUMNS`].
pub fn row(invite: &Invite, now: i64) -> Vec<Cell> {
    vec![
        Cell::plain(clean(&invite.id)),
        Cell::plain(clean(&invite.email)),
        Cell::plain(clean(invite.role.as_str())),
        Cell::styled(clean(invite.status.as_str()), status_style(&invite.status)),
        projects_cell(invite),
        Cell::plain(relative(now, invite.created_at)),
        expires_cell(invite, now),
    ]
}

/// Every field of one invite, labelled, for `get` on a terminal: relative and exact times.
pub fn details(invite: &Invite, now: i64) -> Vec<(&'static str, Cell)> {
    let when = |t: Option<i64>| match t {
        Some(t) => Cell::plain(format!("{} ({})", relative(now, t), rfc3339(t))),
        None => dim("-"),
    };
    vec![
        ("id", Cell::plain(clean(&invite.id))),
        ("email", Cell::plain(clean(&invite.email))),
        ("role", Cell::plain(clean(invite.role.as_str()))),
        (
            "status",
            Cell::styled(clean(invite.status.as_str()), status_style(&invite.status)),
        ),
        ("projects", projects_cell(invite)),
        ("created", when(Some(invite.created_at))),
        ("expires", when(invite.expires_at)),
        ("accepted", when(invite.accepted_at)),
    ]
}

#[cfg(test)]
mod tests {
    use openai_invites::{InviteRole, ProjectRole};

    use super::*;

    fn invite() -> Invite {
        Invite {
            id: "invite-1".into(),
            email: "ana@example.com".into(),
            role: InviteRole::Owner,
            status: InviteStatus::Pending,
            created_at: 1_700_000_000,
            expires_at: Some(1_700_604_800),
            accepted_at: None,
            projects: vec![
                InviteProject::new("p1", ProjectRole::Member),
                InviteProject::new("p2", ProjectRole::Owner),
            ],
        }
    }

    #[test]
    fn fields_are_exact_and_complete() {
        assert_eq!(
            fields(&invite()),
            [
                "invite-1",
                "ana@example.com",
                "owner",
                "pending",
                "p1:member p2:owner",
                "2023-11-14T22:13:20Z",
                "2023-11-21T22:13:20Z",
                ""
            ]
        );
    }

    #[test]
    fn rows_are_relative() {
        let now = 1_700_000_000 + 86_400;
        let texts: Vec<String> = row(&invite(), now).into_iter().map(|c| c.text).collect();
        assert_eq!(texts[5], "1 day ago");
        assert_eq!(texts[6], "in 6 days");
        let mut accepted = invite();
        accepted.status = InviteStatus::Accepted;
        accepted.projects.clear();
        let texts: Vec<String> = row(&accepted, now).into_iter().map(|c| c.text).collect();
        assert_eq!((texts[4].as_str(), texts[6].as_str()), ("none", "-"));
    }

    #[test]
    fn control_characters_from_the_service_are_escaped() {
        let mut hostile = invite();
        hostile.email = "ana\t@example.com\n\u{1b}[2J".into();
        assert_eq!(fields(&hostile)[1], "ana\\t@example.com\\n\\u{1b}[2J");
        assert_eq!(row(&hostile, 0)[1].text, fields(&hostile)[1]);
        assert_eq!(clean("ana@example.com"), "ana@example.com");
    }

    #[test]
    fn unknown_statuses_are_shown_unstyled() {
        let status = InviteStatus::from("revoked");
        assert_eq!(status_style(&status), Style::new());
        assert_ne!(status_style(&InviteStatus::Pending), Style::new());
    }
}
