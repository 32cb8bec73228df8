//! What is shown of a roster's plan and of what applying it did, decided once for every
//! output shape: the plan's own JSON, exact fields for CSV and TSV, coloured cells for people.
//!
//! ```ignore
//! printer.emit(roster::actions(&plan, &plan.actions))?;   // `plan`'s table on stdout
//! printer.emit(roster::results(&report.rows))?;           // `apply`'s, row by row
//! ```

use anstyle::{AnsiColor, Style};
use openai_invites::InviteRequest;
use openai_invites_roster::{Action, ActionKind, Outcome, Plan, RowResult};

use super::records::{clean, projects};
use super::table::Cell;
use super::{Json, Records, TableView};

/// The CSV and TSV columns of a plan.
pub const ACTION_FIELDS: [&str; 6] = ["email", "action", "role", "projects", "invite_id", "note"];
/// The table's columns of a plan.
pub const ACTION_COLUMNS: [&str; 6] = ["ACTION", "EMAIL", "ROLE", "PROJECTS", "INVITE", "NOTE"];
/// The CSV and TSV columns of what applying did: those of `--report`.
pub const RESULT_FIELDS: [&str; 6] = openai_invites_roster::REPORT_HEADER;
/// The table's columns of what applying did.
pub const RESULT_COLUMNS: [&str; 5] = ["OUTCOME", "ACTION", "EMAIL", "INVITE", "MESSAGE"];

/// `actions` of `plan` (all of them, or the ones worth showing before a question); in JSON,
/// the whole plan, as `plan --out` saves it.
pub fn actions(plan: &Plan, actions: &[&Action]) -> Records {
    Records {
        json: Json::one(plan),
        fields: &ACTION_FIELDS,
        values: actions.iter().map(|a| action_fields(a)).collect(),
        table: TableView::Rows {
            columns: &ACTION_COLUMNS,
            rows: actions.iter().map(|a| action_row(a)).collect(),
        },
    }
}

/// What applying did, one row per action.
pub fn results(rows: &[RowResult]) -> Records {
    Records {
        json: Json::many(rows),
        fields: &RESULT_FIELDS,
        values: rows.iter().map(result_fields).collect(),
        table: TableView::Rows {
            columns: &RESULT_COLUMNS,
            rows: rows.iter().map(result_row).collect(),
        },
    }
}

/// How an action looks in a table: what changes stands out, what does not is dim.
pub fn action_style(kind: ActionKind) -> Style {
    let color = match kind {
        ActionKind::Invite => AnsiColor::Green,
        ActionKind::Reissue | ActionKind::Replace | ActionKind::Drift => AnsiColor::Yellow,
        ActionKind::Revoke => AnsiColor::Red,
        _ => return Style::new().dimmed(),
    };
    Style::new().fg_color(Some(color.into()))
}

fn outcome_style(outcome: Outcome) -> Style {
    let color = match outcome {
        Outcome::Failed => AnsiColor::Red,
        Outcome::Unknown | Outcome::Skipped => AnsiColor::Yellow,
        Outcome::Kept | Outcome::Accepted => return Style::new().dimmed(),
        _ => AnsiColor::Green,
    };
    Style::new().fg_color(Some(color.into()))
}

/// The roster's notation: empty for the default project, `-` for none.
fn terms(request: Option<&InviteRequest>) -> (String, String) {
    let Some(request) = request else {
        return (String::new(), String::new());
    };
    let projects = match request.projects.as_deref() {
        None => String::new(),
        Some([]) => "-".to_owned(),
        Some(list) => projects(list),
    };
    (clean(request.role.as_str()), projects)
}

fn note(action: &Action) -> String {
    match (action.kind, action.drift) {
        (ActionKind::Drift, Some(drift)) => format!("{drift}: left as it is"),
        (ActionKind::Replace, Some(drift)) => format!("{drift}"),
        (ActionKind::Revoke, _) => "pending, not on the roster".to_owned(),
        _ => String::new(),
    }
}

fn action_fields(action: &Action) -> Vec<String> {
    let (role, projects) = terms(action.request.as_ref());
    vec![
        clean(&action.email),
        action.kind.as_str().to_owned(),
        role,
        projects,
        action.invite_id.as_deref().map(clean).unwrap_or_default(),
        note(action),
    ]
}

fn action_row(action: &Action) -> Vec<Cell> {
    let (role, projects) = terms(action.request.as_ref());
    let projects = match (action.request.is_some(), projects.as_str()) {
        (false, _) => Cell::plain(""),
        (true, "") => Cell::styled("default", Style::new().dimmed()),
        (true, "-") => Cell::styled("none", Style::new().dimmed()),
        (true, _) => Cell::plain(projects),
    };
    vec![
        Cell::styled(action.kind.as_str(), action_style(action.kind)),
        Cell::plain(clean(&action.email)),
        Cell::plain(role),
        projects,
        Cell::plain(action.invite_id.as_deref().map(clean).unwrap_or_default()),
        Cell::plain(note(action)),
    ]
}

fn result_fields(row: &RowResult) -> Vec<String> {
    let text = |t: &Option<String>| t.as_deref().map(clean).unwrap_or_default();
    vec![
        clean(&row.email),
        row.action.as_str().to_owned(),
        row.outcome.as_str().to_owned(),
        text(&row.invite_id),
        text(&row.request_id),
        text(&row.message),
    ]
}

fn result_row(row: &RowResult) -> Vec<Cell> {
    let text = |t: &Option<String>| t.as_deref().map(clean).unwrap_or_default();
    vec![
        Cell::styled(row.outcome.as_str(), outcome_style(row.outcome)),
        Cell::plain(row.action.as_str()),
        Cell::plain(clean(&row.email)),
        Cell::plain(text(&row.invite_id)),
        Cell::plain(text(&row.message)),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use openai_invites_roster::{PlanOptions, Roster, RosterFormat, plan};

    use super::*;

    #[test]
    fn a_plan_in_the_rosters_notation() {
        let roster = Roster::parse(
            "email,role,projects\nana@example.com,reader,\nbo@example.com,owner,p1:owner p2\n\
             cy@example.com,reader,-\n",
            RosterFormat::Csv,
        )
        .unwrap();
        let plan = plan(&roster, &[], PlanOptions::default());
        let all: Vec<&Action> = plan.actions.iter().collect();
        let records = actions(&plan, &all);
        assert_eq!(
            records.values,
            [
                ["ana@example.com", "invite", "reader", "", "", ""],
                [
                    "bo@example.com",
                    "invite",
                    "owner",
                    "p1:owner p2:member",
                    "",
                    ""
                ],
                ["cy@example.com", "invite", "reader", "-", "", ""],
            ]
        );
        let TableView::Rows { rows, .. } = records.table else {
            panic!()
        };
        let texts: Vec<&str> = rows[0].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["invite", "ana@example.com", "reader", "default", "", ""]
        );
        assert_eq!(rows[2][3].text, "none");
    }
}
